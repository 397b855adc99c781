// Hosts panva/oidc-provider for the benchmark with refresh-token rotation on: one public client
// (token_endpoint_auth_method "none"), a grant and a refresh token minted through the provider's
// own models (so no browser login is needed), then prints the base URL and that refresh token.
import http from 'node:http';
import Provider from 'oidc-provider';

const provider = new Provider('http://127.0.0.1', {
  clients: [{
    client_id: 'bench',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/cb'],
  }],
  scopes: ['openid', 'offline_access'],
  issueRefreshToken: async () => true,
  rotateRefreshToken: true,
  ttl: { AccessToken: 3600, Grant: 14 * 86400, RefreshToken: 14 * 86400 },
  features: { devInteractions: { enabled: false } },
});
// Quiet: the default adapter logs a development warning on stderr, which is fine.
const client = await provider.Client.find('bench');
const grant = new provider.Grant({ accountId: 'bench-user', clientId: 'bench' });
grant.addOIDCScope('openid offline_access');
const grantId = await grant.save();
const refresh = new provider.RefreshToken({
  accountId: 'bench-user',
  client,
  grantId,
  scope: 'openid offline_access',
  gty: 'authorization_code',
  authTime: Math.floor(Date.now() / 1000),
});
const token = await refresh.save();
const server = http.createServer(provider.callback());
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${server.address().port}`);
  console.log(token);
});
