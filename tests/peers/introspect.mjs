// A standard OAuth 2.0 introspection client (oauth4webapi, RFC 7662 with client_secret_basic) asking actas
// about a token: what an off-the-shelf resource server does. Prints the validated answer as one JSON line;
// exits 1 with the library's complaint when it refuses the answer.
//
//   node introspect.mjs BASE_URL CLIENT_SECRET TOKEN
import * as oauth from 'oauth4webapi';

const [base, secret, token] = process.argv.slice(2);
const as = { issuer: base, introspection_endpoint: `${base}/v1/introspect` };
const client = { client_id: 'lms-resource-server' };
try {
  const response = await oauth.introspectionRequest(as, client, oauth.ClientSecretBasic(secret), token, {
    [oauth.allowInsecureRequests]: true, // the test server is plain HTTP on loopback
  });
  const answer = await oauth.processIntrospectionResponse(as, client, response);
  console.log(JSON.stringify({ status: response.status, answer }));
} catch (e) {
  const status = e.status ?? e.cause?.status ?? null; // the refused response rides on the error
  console.log(JSON.stringify({ error: `${e.name}: ${e.message}`, code: e.code ?? null, status }));
  process.exit(1);
}
