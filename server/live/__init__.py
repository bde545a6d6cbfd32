"""The live interview over WebSockets: wire protocol, decode scheduling, audio storage, the
per-connection interview driver and the socket endpoints. See docs/protocol.md."""
