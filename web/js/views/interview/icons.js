// Inline SVG icons for the interview controls (decorative: the buttons carry the text).

const PATHS = {
  done: "M5 12.5l4.5 4.5L19 7.5",
  skip: "M5 6l7 6-7 6M13 6l7 6-7 6",
  repeat: "M4 12a8 8 0 1 0 2.3-5.6M4 4v4.5h4.5",
  voice: "M4 10v4h4l5 4V6L8 10H4zM16 9a4 4 0 0 1 0 6M18.5 6.5a7.5 7.5 0 0 1 0 11",
  retry: "M20 12a8 8 0 1 1-2.3-5.6M20 4v4.5h-4.5",
};

export function icon(name) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  el.setAttribute("viewBox", "0 0 24 24");
  el.setAttribute("aria-hidden", "true");
  el.setAttribute("class", "icon");
  const p = document.createElementNS("http://www.w3.org/2000/svg", "path");
  p.setAttribute("d", PATHS[name]);
  p.setAttribute("fill", "none");
  p.setAttribute("stroke", "currentColor");
  p.setAttribute("stroke-width", "2.2");
  p.setAttribute("stroke-linecap", "round");
  p.setAttribute("stroke-linejoin", "round");
  el.append(p);
  return el;
}
