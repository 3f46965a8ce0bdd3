// Reads login settings through ZITADEL's official TypeScript client (@zitadel/client) and prints
// one line of JSON, for tests/test_typescript_client.py to check the mock against a real client.
//
//   node login-settings.mjs <baseUrl> <token> [--org-id ID] [--instance] [--header-org ID] [--session NAME]
//
// Success: {"ok": true, "settings": ..., "details": ..., "secondFactorNumbers": [...]}.
// A ConnectError: {"ok": false, "code": "unauthenticated", "rawMessage": ..., "details": [...]}.
// Both exit 0; anything else is a crash (non-zero exit, stack on stderr).
import { parseArgs } from "node:util";
import { NewAuthorizationBearerInterceptor, toJson } from "@zitadel/client";
import { createSettingsServiceClient } from "@zitadel/client/v2";
// @zitadel/client's index.d.ts re-exports ConnectError as a type only: the class comes from connect.
import { ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ErrorDetailSchema } from "@zitadel/proto/zitadel/message_pb.js";
import { GetLoginSettingsResponseSchema } from "@zitadel/proto/zitadel/settings/v2/settings_service_pb.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "org-id": { type: "string" },
    instance: { type: "boolean", default: false },
    "header-org": { type: "string" },
    session: { type: "string" },
  },
});
if (positionals.length !== 2) {
  throw new Error("usage: login-settings.mjs <baseUrl> <token> [--org-id ID] [--instance] [--header-org ID] [--session NAME]");
}
const [baseUrl, token] = positionals;

// The mock's own headers: x-zitadel-orgid picks the caller's organization, X-Mock-Session the
// mock's isolated state. @zitadel/client has no option for either, so an interceptor adds them.
const extraHeaders = (next) => (req) => {
  if (values["header-org"]) req.header.set("x-zitadel-orgid", values["header-org"]);
  if (values.session) req.header.set("X-Mock-Session", values.session);
  return next(req);
};

// The Connect protocol with JSON bodies over HTTP/1.1: the form the mock serves (a Flask app
// speaks neither HTTP/2 nor gRPC) and the one the contract documents for this procedure.
// @zitadel/client/node's createServerTransport would be gRPC over HTTP/2, so the transport comes
// from @connectrpc/connect-node directly, with the client's own bearer-token interceptor.
const transport = createConnectTransport({
  baseUrl,
  httpVersion: "1.1",
  useBinaryFormat: false,
  interceptors: [extraHeaders, NewAuthorizationBearerInterceptor(token)],
});
const client = createSettingsServiceClient(transport);

let resourceOwner = { case: undefined };
if (values["org-id"]) resourceOwner = { case: "orgId", value: values["org-id"] };
if (values.instance) resourceOwner = { case: "instance", value: true };
const request = resourceOwner.case ? { ctx: { resourceOwner } } : {};

let result;
try {
  const response = await client.getLoginSettings(request, { signal: AbortSignal.timeout(30_000) });
  // toJson re-encodes what the client decoded: enums by name, durations as "864000s".
  const json = toJson(GetLoginSettingsResponseSchema, response);
  result = {
    ok: true,
    settings: json.settings,
    details: json.details,
    // The decoded numbers, independent of which name toJson picks for an enum value.
    secondFactorNumbers: response.settings?.secondFactors ?? [],
  };
} catch (error) {
  if (!(error instanceof ConnectError)) throw error;
  result = {
    ok: false,
    code: codeToString(error.code), // the Connect wire name, e.g. "unauthenticated"
    rawMessage: error.rawMessage,
    // Details as they came off the wire (type, base64 value, debug) ...
    details: error.details.map((detail) => ({
      type: detail.desc ? detail.desc.typeName : detail.type,
      value: detail.value instanceof Uint8Array ? Buffer.from(detail.value).toString("base64") : detail.value,
      debug: detail.debug,
    })),
    // ... and zitadel.v1.ErrorDetail decoded by the client from the protobuf value.
    errorDetails: error.findDetails(ErrorDetailSchema).map((detail) => toJson(ErrorDetailSchema, detail)),
  };
}
process.stdout.write(JSON.stringify(result) + "\n");
