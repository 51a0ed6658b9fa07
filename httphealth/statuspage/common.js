// Shared by status.js and fleet.js, which the page inlines after this file
// into its one script: the key under which the tab keeps its token, and the
// two DOM helpers both draw with (server text only ever set as text).
const healthPage = Object.freeze({
  KEY: 'healthcheck.status.token',
  el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  },
  getToken() {
    try { return sessionStorage.getItem(healthPage.KEY) || ''; } catch (e) { return ''; }
  },
});
