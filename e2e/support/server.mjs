// Starts a real `tocsin serve` on 127.0.0.1 with a fresh embedded database in a temporary folder,
// reads the address and the owner's first-login credentials it prints, and stops it afterwards.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const STARTUP_TIMEOUT_MS = 120_000;

/** The tocsin binary: $TOCSIN_BIN, else the debug build in $CARGO_TARGET_DIR (or ./target). */
export function tocsinBinary() {
  if (process.env.TOCSIN_BIN) return process.env.TOCSIN_BIN;
  const target = process.env.CARGO_TARGET_DIR || path.resolve(import.meta.dirname, "..", "..", "target");
  return path.join(target, "debug", "tocsin");
}

export async function startTocsin(extraArgs = []) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "tocsin-e2e-"));
  const child = spawn(
    tocsinBinary(),
    ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, ...extraArgs],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TOCSIN_LOG: "warn" } },
  );
  let output = "";
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`tocsin did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`)),
      STARTUP_TIMEOUT_MS,
    );
    const read = (chunk) => {
      output += chunk.toString();
      const url = output.match(/Tocsin is listening on (http:\/\/[0-9.:]+)/);
      const email = output.match(/Email:\s+(\S+)/);
      const password = output.match(/One-time password:\s+(\S+)/);
      const token = output.match(/API token:\s+(\S+)/);
      if (url && email && password && token) {
        clearTimeout(timer);
        resolve({ url: url[1], email: email[1], password: password[1], token: token[1] });
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tocsin exited with ${code} before it was ready:\n${output}`));
    });
  });
  const server = await ready;
  return {
    ...server,
    output: () => output,
    async stop() {
      child.removeAllListeners("exit");
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A JSON API client authenticated with the owner's API token. */
export function apiClient(server) {
  return async function api(method, pathname, body) {
    const response = await fetch(server.url + pathname, {
      method,
      headers: {
        authorization: `Bearer ${server.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${pathname} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
}
