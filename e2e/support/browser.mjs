// Debian's Chromium driven by Playwright (executablePath set; Playwright never downloads a browser),
// and screenshots saved under $TOCSIN_E2E_ARTIFACTS (default e2e/artifacts/) for CI to keep.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

export const artifacts = process.env.TOCSIN_E2E_ARTIFACTS ||
  path.resolve(import.meta.dirname, "..", "artifacts");

export async function launchBrowser() {
  mkdirSync(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox"],
  });
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/** Signs in through the login form and lands on the home page. */
export async function signIn(page, server, email = server.email, password = server.password) {
  await page.goto(server.url + "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(server.url + "/");
}
