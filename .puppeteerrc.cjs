// Puppeteer configuration: never download a browser at install time (this project drives the
// system Chromium, found by test/browser/chromium.ts; set PUPPETEER_EXECUTABLE_PATH to choose another).
module.exports = { skipDownload: true };
