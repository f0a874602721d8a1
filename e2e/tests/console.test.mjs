// The console end to end, in headless Chromium against a real `tocsin serve`: an alert-triggered
// incident appears live on the home page, is acknowledged, gets a commander, an update and is
// resolved; an override drawn on a schedule's timeline; accessibility basics on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { checkAccessibility } from "../support/a11y.mjs";
import { launchBrowser, screenshot, signIn } from "../support/browser.mjs";
import { apiClient, startTocsin } from "../support/server.mjs";

const LIVE_TIMEOUT_MS = 30_000;

/** Clicks a form's submit button and waits for the page the server answers with (Post/Redirect/Get). */
async function submit(page, form) {
  await Promise.all([
    page.waitForNavigation({ waitUntil: "load" }),
    form.locator("button[type=submit]").click(),
  ]);
}
let server, api, browser, owner, team, service, intakeSecret;

before(async () => {
  server = await startTocsin();
  api = apiClient(server);
  owner = await api("GET", "/api/v1/me");
  team = await api("POST", "/api/v1/teams", { name: "Checkout" });
  await api("PUT", `/api/v1/teams/${team.id}/members/${owner.id}`, { role: "manager" });
  service = await api("POST", "/api/v1/services", { name: "checkout-api", team_id: team.id });
  const key = await api("POST", `/api/v1/services/${service.id}/integration-keys`, { name: "monitoring", kind: "generic" });
  intakeSecret = key.secret;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the sign-in page is accessible", async () => {
  const page = await browser.newPage();
  await page.goto(server.url + "/login");
  await checkAccessibility(page, ["Sign in"]);
  await screenshot(page, "01-sign-in");
  await page.close();
});

test("an alert-triggered incident appears live, is acknowledged, commanded, updated and resolved", async () => {
  const page = await browser.newPage();
  let dialogs = 0;
  page.on("dialog", (dialog) => { dialogs += 1; dialog.dismiss(); });
  await signIn(page, server);
  await checkAccessibility(page, ["Incidents", "Sign out"]);
  await screenshot(page, "02-home-before-alert");
  // A marker that a reload would wipe: the incident must arrive without one.
  await page.evaluate(() => { window.tocsinNotReloaded = true; });

  const title = "Checkout latency above SLO <script>alert(1)</script>";
  const accepted = await fetch(`${server.url}/api/v1/integrations/${intakeSecret}/generic`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ summary: title, severity: "warning", dedup_key: "checkout-latency" }),
  });
  assert.equal(accepted.status, 202);

  const link = page.locator("#my-incidents a", { hasText: "Checkout latency above SLO" });
  await link.first().waitFor({ timeout: LIVE_TIMEOUT_MS });
  assert.equal(await page.evaluate(() => window.tocsinNotReloaded), true, "the home page did not reload");
  // The hostile title is shown as text, and no script from it ran (it would have opened a dialog).
  assert.match(await link.first().textContent(), /<script>alert\(1\)<\/script>/);
  assert.equal(dialogs, 0, "no dialog opened");
  await screenshot(page, "03-home-incident-arrived-live");

  await link.first().click();
  await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
  const incidentId = page.url().split("/").pop();
  await page.locator("#timeline").waitFor();
  await checkAccessibility(page, ["Incidents"]);
  await screenshot(page, "04-incident-triggered");

  await submit(page, page.locator("form#acknowledge"));
  assert.equal((await api("GET", `/api/v1/incidents/${incidentId}`)).status, "acknowledged");

  const assign = page.locator("form#assign-role");
  const commander = await assign.locator("select[name=role] option", { hasText: /commander/i }).first().getAttribute("value");
  await assign.locator("select[name=role]").selectOption(commander);
  await assign.locator("select[name=user_id]").selectOption(owner.id);
  await assign.locator("textarea[name=note]").fill("Taking command from the on-call responder");
  await submit(page, assign);
  await page.locator("#timeline", { hasText: "Taking command" }).waitFor({ timeout: LIVE_TIMEOUT_MS });

  const update = page.locator("form#status-update");
  await update.locator("textarea[name=message]").fill("Rolling back the 14:02 deploy of checkout-api.");
  await submit(page, update);
  await page.locator("#timeline", { hasText: "Rolling back the 14:02 deploy" }).waitFor({ timeout: LIVE_TIMEOUT_MS });
  await screenshot(page, "05-incident-commanded-and-updated");

  const resolve = page.locator("form#resolve");
  for (const field of await resolve.locator("textarea[required], input[required]:not([type=hidden])").all()) {
    await field.fill("Rolled back; latency back under the SLO.");
  }
  await submit(page, resolve);
  assert.equal((await api("GET", `/api/v1/incidents/${incidentId}`)).status, "resolved");
  await screenshot(page, "06-incident-resolved");
  await page.close();
});

test("an override created on a schedule shows on its timeline", async () => {
  const relief = await api("POST", "/api/v1/users", { email: "relief@example.com", name: "Rita Relief", role: "responder" });
  await api("PUT", `/api/v1/teams/${team.id}/members/${relief.id}`, { role: "responder" });
  const schedule = await api("POST", "/api/v1/schedules", {
    name: "Checkout primary", team_id: team.id, time_zone: "UTC",
    layers: [{
      name: "Primary", starts_at: "2026-01-01T00:00:00Z",
      rotation: { participants: [owner.id], shift: { weeks: 1 }, first_handoff: "2026-01-05T09:00", time_zone: "UTC" },
    }],
  });
  const page = await browser.newPage();
  await signIn(page, server);
  await page.goto(`${server.url}/on-call/schedules/${schedule.id}`);
  const timeline = page.locator("svg#schedule-timeline");
  await timeline.waitFor();
  assert.equal(await timeline.locator(".override").count(), 0);
  await checkAccessibility(page, ["On-call"]);
  await screenshot(page, "07-schedule-before-override");

  const day = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
  const form = page.locator("form#create-override");
  await form.locator("input[name=starts_at]").fill(`${day}T09:00`);
  await form.locator("input[name=ends_at]").fill(`${day}T17:00`);
  await form.locator("select[name=user_id]").selectOption(relief.id);
  await submit(page, form);
  await timeline.locator(".override").first().waitFor();
  assert.match(await timeline.locator(".override").first().innerHTML(), /Rita Relief/);
  await screenshot(page, "08-schedule-with-override");
  await page.close();
});

test("every section of the console is accessible", async () => {
  const page = await browser.newPage();
  await signIn(page, server);
  const sections = [
    ["/incidents", "09-incidents"],
    ["/alerts", "10-alerts"],
    ["/services", "11-services"],
    [`/services/${service.id}`, "12-service"],
    ["/on-call", "13-on-call"],
    ["/profile", "14-profile"],
    ["/admin", "15-admin"],
  ];
  for (const [pathname, name] of sections) {
    const response = await page.goto(server.url + pathname);
    assert.equal(response.status(), 200, `${pathname} answers 200`);
    await checkAccessibility(page, ["Home"]);
    await screenshot(page, name);
  }
  // Dark theme renders too (the picture for the README), though contrast is checked on the default.
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto(server.url + "/");
  await screenshot(page, "16-home-dark");
  await page.close();
});
