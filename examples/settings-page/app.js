// Shows an organization's login policy (main settings, passkeys, the five lifetimes, second
// factors and multi-factors) and lets an owner change its factors.
//
// Why it reads before it writes: the factor lists alone do not say whose policy they are. An
// organization without a custom policy shows the instance default, and adding a factor to it
// "succeeds" (200) yet changes nothing visible. So every change first reads
// GET /management/v1/policies/login, checks that the policy is still what the page showed
// (custom for a factor toggle, the default for "Use a custom policy"), writes, and reads again;
// the page is always drawn from that last answer, never from what the write should have done.
//
// Query string: org (default 251000000000000001), token (default acme-owner), session (sent as
// X-Mock-Session), api (base URL, default this origin).

const params = new URLSearchParams(location.search);
const config = {
  org: params.get("org") || "251000000000000001",
  token: params.get("token") || "acme-owner",
  session: params.get("session") || "",
  api: (params.get("api") || "").replace(/\/+$/, ""),
};

const POLICY = "/management/v1/policies/login";

const GENERAL = [
  ["allowUsernamePassword", "Username and password allowed"],
  ["allowRegister", "Self-registration allowed"],
  ["allowExternalIdp", "External identity providers allowed"],
  ["forceMfa", "Second factor required"],
  ["forceMfaLocalOnly", "Second factor required for local logins only"],
  ["hidePasswordReset", "Password reset hidden"],
  ["ignoreUnknownUsernames", "Unknown usernames ignored"],
  ["allowDomainDiscovery", "Domain discovery allowed"],
  ["disableLoginWithEmail", "Login with email disabled"],
  ["disableLoginWithPhone", "Login with phone disabled"],
];
const LIFETIMES = [
  ["passwordCheckLifetime", "Password check"],
  ["externalLoginCheckLifetime", "External login check"],
  ["mfaInitSkipLifetime", "Second factor set-up may be skipped for"],
  ["secondFactorCheckLifetime", "Second factor check"],
  ["multiFactorCheckLifetime", "Multi-factor check"],
];
const SECOND_FACTORS = {
  SECOND_FACTOR_TYPE_OTP: "Authenticator app (TOTP)",
  SECOND_FACTOR_TYPE_U2F: "Security key or device (U2F)",
  SECOND_FACTOR_TYPE_OTP_EMAIL: "One-time password by email",
  SECOND_FACTOR_TYPE_OTP_SMS: "One-time password by SMS",
  SECOND_FACTOR_TYPE_RECOVERY_CODES: "Recovery codes",
};
const MULTI_FACTORS = {
  MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION: "Passkey (security key or device with user verification)",
};

const $ = (selector) => document.querySelector(selector);
const app = $("#app");
let shown = null; // the last answer of GET /management/v1/policies/login

/** Calls the API; resolves to the JSON body, or throws an Error carrying ZITADEL's `message`. */
async function call(method, path, body) {
  const headers = { Authorization: `Bearer ${config.token}`, "x-zitadel-orgid": config.org };
  if (config.session) headers["X-Mock-Session"] = config.session;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(config.api + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (error) {
    throw new Error(`The API could not be reached: ${error.message}`);
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(answer?.message || `The API answered ${response.status} ${response.statusText}`);
  }
  return answer ?? {};
}

const readPolicy = () => call("GET", POLICY);
const isDefault = (answer) => answer.isDefault === true || answer.policy?.isDefault === true;

/** The body that makes a custom policy equal to `policy`: creation inherits nothing, so send all. */
function customPolicyFrom(policy) {
  const body = {};
  for (const [field] of GENERAL) body[field] = policy[field] === true;
  for (const [field] of LIFETIMES) body[field] = policy[field];
  body.passwordlessType = policy.passwordlessType || "PASSWORDLESS_TYPE_NOT_ALLOWED";
  body.defaultRedirectUri = policy.defaultRedirectUri || "";
  body.secondFactors = policy.secondFactors || [];
  body.multiFactors = policy.multiFactors || [];
  return body;
}

function setStatus(text, outcome) {
  const status = $("#status");
  status.textContent = text;
  status.dataset.outcome = outcome;
}

function setBusy(busy) {
  app.setAttribute("aria-busy", String(busy));
  for (const control of app.querySelectorAll("button, input")) control.disabled = busy;
  if (!busy) render();
}

function settled() {
  setBusy(false);
  app.dataset.settled = String(Number(app.dataset.settled) + 1);
}

function field(list, name, label, value) {
  const term = document.createElement("dt");
  term.textContent = label;
  const description = document.createElement("dd");
  description.dataset.field = name;
  description.textContent = value;
  list.append(term, description);
}

/** "64800s" -> "18 h (64800s)": readable, with the value as the API gives it. */
function duration(value) {
  const seconds = Number.parseFloat(value);
  if (!Number.isFinite(seconds)) return String(value ?? "not set");
  const units = [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]];
  const [unit, length] = units.find(([, step]) => seconds >= step && seconds % step === 0) || ["s", 1];
  return `${seconds / length} ${unit} (${value})`;
}

function factorBoxes(container, known, active, kind, editable) {
  const names = [...Object.keys(known), ...active.filter((name) => !(name in known))];
  container.replaceChildren();
  for (const name of names) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.dataset.factor = name;
    box.dataset.kind = kind;
    box.checked = active.includes(name);
    box.disabled = !editable;
    box.addEventListener("change", () => toggleFactor(kind, name, box.checked));
    label.append(box, ` ${known[name] || name}`);
    container.append(label);
  }
}

/** Draws the page from `shown` alone (nothing at all when the last read failed). */
function render() {
  $("#org-id").textContent = config.org;
  const policy = shown?.policy || {};
  const inherited = shown !== null && isDefault(shown);
  const custom = shown !== null && !inherited;
  const busy = app.getAttribute("aria-busy") === "true";
  app.dataset.state = shown === null ? "error" : inherited ? "default" : "custom";
  $("#inherited-banner").hidden = !inherited;
  $("#factor-hint").hidden = !inherited;
  $("#use-custom").hidden = !inherited;
  $("#custom-banner").hidden = !custom;
  $("#reset").hidden = !custom;
  $("#use-custom").disabled = busy;
  $("#reset").disabled = busy;
  for (const id of ["#general", "#lifetimes", "#second-factors .factors", "#multi-factors .factors"]) {
    $(id).replaceChildren();
  }
  if (shown === null) return;

  const general = $("#general");
  for (const [name, label] of GENERAL) field(general, name, label, policy[name] === true ? "Yes" : "No");
  const passkeys = policy.passwordlessType === "PASSWORDLESS_TYPE_ALLOWED";
  field(general, "passwordlessType", "Passkeys (passwordless login)", passkeys ? "Allowed" : "Not allowed");
  field(general, "defaultRedirectUri", "Default redirect URI", policy.defaultRedirectUri || "none");
  for (const [name, label] of LIFETIMES) field($("#lifetimes"), name, label, duration(policy[name]));

  const editable = custom && !busy;
  factorBoxes($("#second-factors .factors"), SECOND_FACTORS, policy.secondFactors || [], "second", editable);
  factorBoxes($("#multi-factors .factors"), MULTI_FACTORS, policy.multiFactors || [], "multi", editable);
}

/** Reads the policy into `shown`; returns the error message of a failed read, else "". */
async function refresh() {
  try {
    shown = await readPolicy();
    return "";
  } catch (error) {
    shown = null;
    return error.message;
  }
}

/**
 * Runs one change: read; unless `stillAsShown(fresh)` says the policy is still what the page
 * shows, write nothing; else write; then read again. The page shows the second read, whatever
 * happened, and the outcome of the write in #status.
 */
async function change(stillAsShown, write) {
  setBusy(true);
  setStatus("Saving…", "pending");
  let outcome = ["saved", "ok"];
  try {
    if (stillAsShown(await readPolicy())) await write();
    else outcome = ["Nothing was changed: the policy had changed meanwhile. Check it and try again.", "error"];
  } catch (error) {
    outcome = [error.message, "error"];
  }
  const readError = await refresh();
  if (readError) outcome = [outcome[1] === "ok" ? readError : `${outcome[0]} (then: ${readError})`, "error"];
  setStatus(...outcome);
  settled();
}

function toggleFactor(kind, name, wanted) {
  const base = `${POLICY}/${kind === "second" ? "second_factors" : "multi_factors"}`;
  const listed = (answer) => {
    const policy = answer.policy || {};
    return ((kind === "second" ? policy.secondFactors : policy.multiFactors) || []).includes(name);
  };
  // A factor may only be toggled on a custom policy, and only if it is not already as asked.
  return change(
    (fresh) => !isDefault(fresh) && listed(fresh) !== wanted,
    () => (wanted ? call("POST", base, { type: name }) : call("DELETE", `${base}/${encodeURIComponent(name)}`)),
  );
}

// The custom policy is made of exactly the values shown, so the default must not have changed since.
$("#use-custom").addEventListener("click", () => {
  const values = shown.policy;
  return change(
    (fresh) => isDefault(fresh) && JSON.stringify(fresh.policy) === JSON.stringify(values),
    () => call("POST", POLICY, customPolicyFrom(values)),
  );
});
$("#reset").addEventListener("click", () => change((fresh) => !isDefault(fresh), () => call("DELETE", POLICY)));

setBusy(true);
const firstReadError = await refresh();
if (firstReadError) setStatus(firstReadError, "error");
settled();
