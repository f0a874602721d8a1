// The accessibility checks themselves: each finds what it looks for on a page made to fail it, so
// a passing console page means something.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { keyboardWalk, lowContrastText, unlabelledControls } from "../support/a11y.mjs";
import { launchBrowser } from "../support/browser.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test("an unlabelled control and an empty button are reported", async () => {
  const page = await browser.newPage();
  await page.setContent(`<label for="a">Name</label><input id="a"><input name="b"><button></button>`);
  const missing = await unlabelledControls(page);
  assert.equal(missing.length, 2, missing.join("\n"));
  assert.match(missing[0], /name="b"/);
  await page.close();
});

test("grey on white text is reported, dark on white is not", async () => {
  const page = await browser.newPage();
  await page.setContent(`<p id="ok">readable</p><p style="color:#bbb">faint</p>`);
  const failures = await lowContrastText(page);
  assert.equal(failures.length, 1, failures.join("\n"));
  assert.match(failures[0], /faint/);
  await page.close();
});

test("a page without a skip link fails the keyboard walk", async () => {
  const page = await browser.newPage();
  await page.setContent(`<a href="#x">First link</a><main id="x">x</main>`);
  await assert.rejects(keyboardWalk(page), /skip link/);
  await page.close();
});
