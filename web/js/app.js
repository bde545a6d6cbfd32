// The app shell: a hash router (the server serves web/ as static files, so every page is
// index.html + a #/route), the header navigation, and focus management between pages.

import { tokens, onSignedOut, signOut } from "./api.js";
import { h, clear } from "./dom.js";
import * as auth from "./views/auth.js";
import * as home from "./views/home.js";
import * as profile from "./views/profile.js";
import * as newInterview from "./views/new-interview.js";
import * as interview from "./views/interview.js";
import * as report from "./views/report.js";
import * as history from "./views/history.js";
import * as watch from "./views/watch.js";

const ROUTES = [
  { path: /^\/login$/, view: auth.login, public: true, title: "Log in" },
  { path: /^\/signup$/, view: auth.signup, public: true, title: "Sign up" },
  { path: /^\/$/, view: home.render, nav: "home", title: "Home" },
  { path: /^\/new$/, view: newInterview.render, nav: "new", title: "New interview" },
  { path: /^\/interview\/([\w-]+)$/, view: interview.render, nav: "new", title: "Interview" },
  { path: /^\/report\/([\w-]+)$/, view: report.render, nav: "history", title: "Feedback report" },
  { path: /^\/history$/, view: history.render, nav: "history", title: "History" },
  { path: /^\/profile$/, view: profile.render, nav: "profile", title: "Profile" },
  { path: /^\/watch\/([\w-]+)(?:\/([\w.-]+))?$/, view: watch.render, public: true, title: "Watch live" },
];

const main = document.getElementById("main");
const nav = document.getElementById("site-nav");
let cleanup = null;
let firstRender = true;

export function navigate(path, { replace = false } = {}) {
  const target = "#" + path;
  if (location.hash === target) return route();
  if (replace) location.replace(target);
  else location.hash = target;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = raw.split("?");
  return { path: path || "/", query: new URLSearchParams(query) };
}

async function route() {
  const { path, query } = parseHash();
  const match = ROUTES.map((r) => [r, r.path.exec(path)]).find(([, m]) => m);
  if (typeof cleanup === "function") {
    try {
      cleanup();
    } catch (error) {
      console.error(error);
    }
  }
  cleanup = null;
  const signedIn = tokens.signedIn;
  nav.hidden = !signedIn;
  if (!match) return navigate("/", { replace: true });
  const [config, groups] = match;
  if (!config.public && !signedIn) {
    return navigate(`/login?next=${encodeURIComponent(path)}`, { replace: true });
  }
  if ((config.view === auth.login || config.view === auth.signup) && signedIn) {
    return navigate(query.get("next") || "/", { replace: true });
  }
  for (const link of nav.querySelectorAll("a[data-nav]")) {
    if (link.dataset.nav === config.nav) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  clear(main);
  // The last page's announcement ("The interview is complete…") is not this page's.
  for (const id of ["announce-polite", "announce-assertive"]) {
    const region = document.getElementById(id);
    if (region) region.textContent = "";
  }
  document.title = `${config.title} · Interview practice`;
  const container = h("div.page");
  main.append(container);
  try {
    cleanup = await config.view(container, { params: groups.slice(1), query, navigate, setTitle });
  } catch (error) {
    console.error(error);
    // A 404 here is an old or mistyped link (a deleted interview, another account's id): say
    // so in words, not with the API's "interview session not found".
    const missing = error && error.status === 404;
    clear(container).append(
      h(
        "div.notice.notice--error",
        { role: "alert", "data-testid": "page-error" },
        h("h1", missing ? "We could not find this interview" : "This page could not be loaded"),
        h("p", missing ? "The link may be incomplete, or the interview was deleted. Your other interviews are in your history." : error.message || String(error)),
        h("p.row", h("a", { href: "#/history" }, "Go to your history"), h("a", { href: "#/" }, "Back to home")),
      ),
    );
  }
  if (!firstRender) {
    // Move focus to the new page's heading so keyboard and screen-reader users start there.
    const heading = container.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: false });
    } else main.focus();
  }
  firstRender = false;
}

function setTitle(title) {
  document.title = `${title} · Interview practice`;
}

document.getElementById("logout").addEventListener("click", () => {
  signOut();
});

onSignedOut((reason) => {
  const { path } = parseHash();
  nav.hidden = true;
  if (reason !== "expired") return navigate("/login", { replace: true });
  const protectedPage = !ROUTES.some((r) => r.public && r.path.test(path));
  navigate(protectedPage && path !== "/" ? `/login?next=${encodeURIComponent(path)}&expired=1` : "/login?expired=1", { replace: true });
});

window.addEventListener("hashchange", route);
window.addEventListener("storage", (event) => {
  // Logged out in another tab.
  if (event.key === "mi.refresh" && !event.newValue && !tokens.access) route();
});
route();
