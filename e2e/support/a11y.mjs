// Accessibility basics checked in the real browser on every page the tests visit: every form
// control has a label, the page can be walked with the keyboard (skip link first, visible focus),
// and text in the default theme has enough contrast (WCAG AA: 4.5:1, 3:1 for large text).
import assert from "node:assert/strict";

/** Controls without an accessible name (label, aria-label, aria-labelledby or title). */
export async function unlabelledControls(page) {
  return page.evaluate(() => {
    const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
    const missing = [];
    for (const el of document.querySelectorAll("input, select, textarea")) {
      if (el.type === "hidden" || !visible(el)) continue;
      const named = (el.labels && el.labels.length > 0) || el.getAttribute("aria-label") ||
        el.getAttribute("aria-labelledby") || el.getAttribute("title");
      if (!named) missing.push(el.outerHTML.slice(0, 120));
    }
    for (const el of document.querySelectorAll("button, a[href]")) {
      if (!visible(el)) continue;
      const text = (el.textContent || "").trim() || el.getAttribute("aria-label") || el.getAttribute("title");
      if (!text) missing.push(el.outerHTML.slice(0, 120));
    }
    return missing;
  });
}

/** Text whose contrast against its background is below AA. */
export async function lowContrastText(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0.5) return c;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const failures = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    while (walker.nextNode()) {
      const el = walker.currentNode.parentElement;
      if (!el || seen.has(el) || !walker.currentNode.textContent.trim()) continue;
      seen.add(el);
      if (el.closest("svg, [hidden], button:disabled, .skip")) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || style.display === "none" || !el.getClientRects().length) continue;
      const fg = parse(style.color);
      if (!fg) continue;
      const bg = background(el);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) {
        failures.push(`${ratio.toFixed(2)}:1 "${walker.currentNode.textContent.trim().slice(0, 40)}" (${style.color} on rgb(${bg.r}, ${bg.g}, ${bg.b}))`);
      }
    }
    return failures;
  });
}

/** Tabs through the page: the skip link comes first, focus stays visible, and it reaches `mustReach`. */
export async function keyboardWalk(page, mustReach = [], maxTabs = 80) {
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => document.activeElement.className + "|" + document.activeElement.textContent.trim());
  assert.match(first, /skip\|Skip to content/, "the first Tab reaches the skip link");
  const reached = new Set();
  for (let i = 0; i < maxTabs; i++) {
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return {
        text: (el.textContent || el.value || el.getAttribute("aria-label") || "").trim(),
        // A date field's own picker button can hold the focus (the element itself then does not
        // match :focus); the browser draws that button's ring.
        outlined: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) ||
          (!el.matches(":focus") && /^(date|datetime-local|time|month|week)$/.test(el.type)),
        tag: el.tagName,
        where: `${el.tagName.toLowerCase()}[type=${el.type || ""}][name=${el.name || ""}]#${el.id} on ${location.pathname}`,
      };
    });
    if (focused.tag === "BODY") break;
    assert.ok(focused.outlined, `focus is visible on ${focused.where} "${focused.text}"`);
    reached.add(focused.text);
    await page.keyboard.press("Tab");
  }
  for (const label of mustReach) {
    assert.ok([...reached].some((t) => t.includes(label)), `Tab reaches "${label}" (reached: ${[...reached].join(", ")})`);
  }
}

/** All three checks; `mustReach` names controls the keyboard walk has to reach. */
export async function checkAccessibility(page, mustReach = []) {
  assert.deepEqual(await unlabelledControls(page), [], `every control on ${page.url()} is labelled`);
  assert.deepEqual(await lowContrastText(page), [], `text on ${page.url()} has AA contrast`);
  await keyboardWalk(page, mustReach);
}
