// Hosts oauth2-mock-server for the benchmark: prints its base URL, then an initial refresh token.
// It does not check refresh tokens at all (any string is accepted and a new one is returned), so
// the chained workload measures its request path, not any rotation bookkeeping.
import { OAuth2Server } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(0, '127.0.0.1');
console.log(server.issuer.url);
console.log('initial-refresh-token');
