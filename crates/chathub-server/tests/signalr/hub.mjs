// The official SignalR JavaScript client against /chathub (spec §7.3).
//
//   node hub.mjs <base-url> <token> <header|query|longpolling> [events]
//
// header: the token through accessTokenFactory (Node sends Authorization: Bearer);
// query: the token as access_token in the hub URL; longpolling: a client
// limited to long polling (must fail in start()).
// Prints one JSON line per step: {"ready": connectionId}, each event
// {"event": target, "args": [...]} until `events` have arrived, then the
// answers of an unknown method and of SendMessage to an unknown chat, then
// {"closed": true}. Exits 1 with {"error": ...} on failure.
import * as signalR from "@microsoft/signalr";

const [base, token, mode, wanted = "1"] = process.argv.slice(2);
const print = (value) => process.stdout.write(JSON.stringify(value) + "\n");

const url = mode === "query" ? `${base}/chathub?access_token=${encodeURIComponent(token)}` : `${base}/chathub`;
const options = {};
if (mode === "header") options.accessTokenFactory = () => token;
if (mode === "longpolling") {
  options.accessTokenFactory = () => token;
  options.transport = signalR.HttpTransportType.LongPolling;
}

const connection = new signalR.HubConnectionBuilder()
  .withUrl(url, options)
  .configureLogging(signalR.LogLevel.None)
  .build();

let remaining = Number(wanted);
let done;
const allEvents = new Promise((resolve) => (done = resolve));
for (const target of ["ChatCreated", "ReceiveMessage", "ReceiveMediaMessage", "ChatStatusChanged", "MessageStatusChanged"]) {
  connection.on(target, (...args) => {
    print({ event: target, args });
    remaining -= 1;
    if (remaining <= 0) done();
  });
}
connection.onclose((error) => print({ onclose: error ? String(error.message ?? error) : null }));

try {
  await connection.start();
} catch (error) {
  print({ startFailed: String(error.message ?? error) });
  process.exit(mode === "longpolling" ? 0 : 1);
}
if (mode === "longpolling") {
  print({ error: "a long-polling client connected" });
  process.exit(1);
}
print({ ready: connection.connectionId });
if (remaining > 0) await allEvents;

for (const [method, args] of [["Foo", []], ["SendMessage", [2147483647, "Hi"]]]) {
  try {
    const result = await connection.invoke(method, ...args);
    print({ method, result });
  } catch (error) {
    print({ method, error: String(error.message ?? error) });
  }
}
await connection.stop();
print({ closed: true });
process.exit(0);
