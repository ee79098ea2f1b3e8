#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: fuzz/corpus/<target>/seed-*.

    fuzz/seeds.py            (re)writes every seed-* file (other files, such as the
                             regress-* inputs of fixed crashes, are kept)

Seeds are small, realistic inputs in each target's format (see the comment at the top
of fuzz/fuzz_<target>.c): tokens signed with the fuzzing keys of fuzz/common.c (read
from there), JWKS documents, tenant answers, Management paths, cookies, directive
values... Sealed cookies are not made here (AES-GCM with HKDF keys): the module targets
write those themselves, see fuzz/README.md ("seeds of sealed values").

Needs python3 and the openssl command line tool.
"""
import base64
import glob
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, 'corpus')

NOW = 1700000000
ISSUER = 'https://fuzz.example.com/'
CLIENT_ID = 'fuzz-client'
SECRET = 'fuzz-client-secret-0123456789abcdef'
AUDIENCE = 'https://api.example.com/'
KID_RSA, KID_EC = 'fuzz-rsa', 'fuzz-ec'


def b64u(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def pem_lines(name):
    src = open(os.path.join(HERE, 'common.c')).read()
    m = re.search(r'static const char %s\[\] =\n(.*?);' % name, src, re.S)
    return '\n'.join(re.findall(r'"([^"]*)\\n"', m.group(1))) + '\n'


TMP = tempfile.mkdtemp()
RSA = os.path.join(TMP, 'rsa.pem')
EC = os.path.join(TMP, 'ec.pem')
open(RSA, 'w').write(pem_lines('FZ_RSA_PEM'))
open(EC, 'w').write(pem_lines('FZ_EC_PEM'))


def openssl(*args, data=None):
    return subprocess.run(['openssl'] + list(args), input=data, capture_output=True, check=True).stdout


def der_to_jose(der):
    """ECDSA DER signature -> r || s (32 bytes each)."""
    def integer(b, i):
        assert b[i] == 2
        n = b[i + 1]
        v = int.from_bytes(b[i + 2:i + 2 + n], 'big')
        return v, i + 2 + n
    i = 2 if der[1] < 0x80 else 3
    r, i = integer(der, i)
    s, _ = integer(der, i)
    return r.to_bytes(32, 'big') + s.to_bytes(32, 'big')


def sign(header, payload, alg):
    """header.payload.signature with the fuzzing keys; header/payload are dicts or raw text."""
    h = header if isinstance(header, str) else json.dumps(header, separators=(',', ':'))
    p = payload if isinstance(payload, str) else json.dumps(payload, separators=(',', ':'))
    signing_input = (b64u(h) + '.' + b64u(p)).encode()
    if alg == 'none':
        sig = b''
    elif alg == 'HS256':
        sig = hmac.new(SECRET.encode(), signing_input, hashlib.sha256).digest()
    elif alg == 'RS256':
        sig = openssl('dgst', '-sha256', '-sign', RSA, data=signing_input)
    elif alg in ('PS256', 'PS256/salt=20'):
        # RFC 7518 3.5: the salt is as long as the hash (32 bytes); PS256/salt=20 breaks that on purpose
        sig = openssl('dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt',
                      'rsa_pss_saltlen:' + ('20' if alg.endswith('=20') else 'digest'), '-sign', RSA, data=signing_input)
    elif alg == 'ES256':
        sig = der_to_jose(openssl('dgst', '-sha256', '-sign', EC, data=signing_input))
    else:
        raise ValueError(alg)
    return signing_input.decode() + '.' + b64u(sig)


def rsa_jwk(kid=KID_RSA, **extra):
    modulus = openssl('rsa', '-in', RSA, '-noout', '-modulus').decode().strip().split('=', 1)[1]
    j = {'kty': 'RSA', 'n': b64u(bytes.fromhex(modulus)), 'e': 'AQAB', 'kid': kid, 'use': 'sig'}
    j.update(extra)
    return j


def ec_jwk(kid=KID_EC, **extra):
    der = openssl('pkey', '-in', EC, '-pubout', '-outform', 'DER')
    point = der[-65:]
    j = {'kty': 'EC', 'crv': 'P-256', 'x': b64u(point[1:33]), 'y': b64u(point[33:]), 'kid': kid, 'use': 'sig'}
    j.update(extra)
    return j


def compact(obj):
    return json.dumps(obj, separators=(',', ':'))


def fields(*parts):
    """Fields joined with NUL (the targets' input format); str parts are UTF-8 encoded."""
    out = b''
    for i, p in enumerate(parts):
        if isinstance(p, str):
            p = p.encode()
        out += p if i == len(parts) - 1 else p + b'\0'
    return out


def write(target, seeds):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    for old in glob.glob(os.path.join(d, 'seed-*')):
        os.remove(old)
    for i, s in enumerate(seeds):
        if isinstance(s, str):
            s = s.encode()
        open(os.path.join(d, 'seed-%03d' % i), 'wb').write(s)
    print('%-14s %3d seeds' % (target, len(seeds)))


# ---- libauth0 ------------------------------------------------------------------------------------

def id_claims(**over):
    c = {'iss': ISSUER, 'sub': 'auth0|123', 'aud': CLIENT_ID, 'exp': NOW + 3600, 'iat': NOW,
         'nonce': 'fuzz-nonce', 'auth_time': NOW - 60, 'org_id': 'org_fuzz123', 'org_name': 'acme',
         'email': 'alice@example.com', 'name': 'Alice'}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def access_claims(**over):
    c = {'iss': ISSUER, 'sub': 'auth0|123', 'aud': [AUDIENCE, ISSUER + 'userinfo'], 'exp': NOW + 3600,
         'iat': NOW, 'nbf': NOW - 10, 'scope': 'openid read:things', 'permissions': ['read:things'],
         'azp': CLIENT_ID, 'org_id': 'org_fuzz123'}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def jwt_seeds():
    rs = {'alg': 'RS256', 'typ': 'JWT', 'kid': KID_RSA}
    es = {'alg': 'ES256', 'typ': 'at+jwt', 'kid': KID_EC}
    hs = {'alg': 'HS256', 'typ': 'JWT'}
    raw = [
        sign(rs, id_claims(), 'RS256'),
        sign(hs, id_claims(), 'HS256'),
        sign(es, access_claims(), 'ES256'),
        sign(dict(rs, typ='at+jwt'), access_claims(), 'RS256'),
        sign({'alg': 'PS256', 'kid': KID_RSA}, access_claims(), 'PS256'),
        sign(rs, id_claims(exp=NOW - 3600), 'RS256'),
        sign(rs, id_claims(aud=['other', CLIENT_ID], azp='other'), 'RS256'),
        sign({'alg': 'none'}, id_claims(), 'none'),
        sign({'alg': 'HS256', 'kid': KID_RSA}, id_claims(), 'HS256'),
        sign(dict(rs, kid='unknown-kid'), id_claims(), 'RS256'),
        sign(rs, '{"iss":1e400,"exp":"1700003600"}', 'RS256'),
        'e30.e30.',
        'e30.e30.A=',
        'eyJhbGciOiJSUzI1NiJ9.e30.e30.e30',
        'a.b.c',
        '..',
    ]
    seeds = [fields('', t) for t in raw]
    payloads = [
        (hs, id_claims(), 'HS256', 1, 0x1f),
        (hs, id_claims(nonce=None), 'HS256', 1, 1),
        (hs, id_claims(aud=[CLIENT_ID, 'x'], azp=CLIENT_ID), 'HS256', 1, 0),
        (hs, id_claims(auth_time=NOW - 99999), 'HS256', 1, 2),
        (hs, id_claims(org_name='ACME'), 'HS256', 1, 4),
        (hs, id_claims(exp=2 ** 63 - 1, iat=-2 ** 63), 'HS256', 1, 16),
        (rs, id_claims(), 'RS256', 2, 0x0f),
        (rs, id_claims(iss=ISSUER[:-1]), 'RS256', 2, 0),
        (es, access_claims(), 'ES256', 3, 0),
        (dict(es, typ='application/at+jwt'), access_claims(nbf=NOW + 999), 'ES256', 3, 12),
        (dict(es, typ='JWE'), access_claims(), 'ES256', 3, 0),
        (es, access_claims(aud=AUDIENCE, org_id=None, org_name='acme'), 'ES256', 3, 4),
    ]
    for header, claims, _, mode, flags in payloads:
        seeds.append(fields(bytes([mode]), bytes([flags or 0x80]), compact(header), compact(claims)))
    # PS256 ID tokens (added last, so that the numbers of the seeds above stay): as they are (MODE 0, tried
    # under every algorithm), and signed by the target (MODE 2, FLAGS bit 5; with bit 6 a 20-byte salt)
    ps = {'alg': 'PS256', 'typ': 'JWT', 'kid': KID_RSA}
    seeds += [fields('', t) for t in (
        sign(ps, id_claims(), 'PS256'),
        sign(ps, id_claims(), 'PS256/salt=20'),
        sign(ps, id_claims(), 'RS256'),
        sign(rs, id_claims(), 'PS256'),
        sign({'alg': 'PS256'}, id_claims(), 'PS256'),
    )]
    for header, claims, mode, flags in (
        (ps, id_claims(), 2, 0x20 | 0x0f),
        (ps, id_claims(), 2, 0x20),
        (ps, id_claims(org_id=None, org_name='ACME'), 2, 0x20 | 4),
        (ps, id_claims(exp=NOW - 3600), 2, 0x20 | 16),
        (rs, id_claims(), 2, 0x20),
        (dict(ps, kid='unknown-kid'), id_claims(), 2, 0x20),
        (ps, id_claims(), 2, 0x60),
        (ps, id_claims(iss=None), 2, 0x60),
    ):
        seeds.append(fields(bytes([mode]), bytes([flags]), compact(header), compact(claims)))
    return seeds


def jwks_seeds():
    doc = lambda *keys: compact({'keys': list(keys)})
    return [fields('', doc(rsa_jwk(), ec_jwk())),
            fields(KID_RSA, doc(rsa_jwk(alg='RS256'), ec_jwk(alg='ES256', key_ops=['verify']))),
            fields('other', doc(rsa_jwk(use='enc'), ec_jwk(crv='P-384'), rsa_jwk(kid=KID_RSA))),
            fields('', doc(rsa_jwk(n=b64u(b'\x01' * 128)), ec_jwk(x=b64u(b'\x00' * 32)))),
            fields('', doc(rsa_jwk(), rsa_jwk())),
            fields('', doc({'kty': 'oct', 'k': 'c2VjcmV0', 'kid': 'h'}, rsa_jwk(key_ops=['sign']))),
            fields('x', doc(rsa_jwk(alg=7), ec_jwk(kid=''), rsa_jwk(e='AQAB=', kid='p'))),
            fields('', '{"keys":{}}'),
            fields('', '[]'),
            fields('', '{"keys":[null,1,"a",[],{}]}')]


def responses_seeds():
    return [
        fields('200', 'application/json', '', '', '',
               compact({'access_token': 'at', 'id_token': 'it', 'refresh_token': 'rt', 'token_type': 'Bearer',
                        'expires_in': 86400, 'scope': 'openid profile'})),
        fields('403', 'application/json', '', '', '',
               compact({'error': 'mfa_required', 'error_description': 'Multifactor authentication required',
                        'mfa_token': 'x'})),
        fields('429', 'application/json; charset=utf-8', '', '3', '1700000060',
               compact({'statusCode': 429, 'error': 'Too Many Requests', 'message': 'Global limit has been reached',
                        'errorCode': 'too_many_requests'})),
        fields('429', '', '', 'Wed, 21 Oct 2015 07:28:00 GMT', '', ''),
        fields('401', 'application/json', 'Bearer error="invalid_token", error_description="The token expired"',
               '', '', compact({'statusCode': 401, 'error': 'Unauthorized', 'message': 'Expired token received for '
                                'JSON Web Token validation', 'attributes': {'error': 'Expired token'}})),
        fields('400', 'application/json', '', '', '',
               compact({'name': 'PasswordStrengthError', 'code': 'invalid_password',
                        'description': {'rules': [{'message': 'At least %d characters', 'format': [8]}]},
                        'statusCode': 400})),
        fields('503', 'text/plain', '', '120', '', 'Service Unavailable\r\n\x1b[31mred'),
        fields('200', 'text/event-stream', '', '', '',
               'event: log\nid: 1\ndata: {"a":1}\n\n: comment\ndata: line1\ndata: line2\n\nid: 2\r\ndata: x'),
        fields('500', 'application/problem+json', '', '-1', 'x', '{"error":null,"message":[1,2]}'),
        fields('302', 'text/html', '', '  7  ', '', '<html>moved</html>'),
    ]


def tenant_seeds():
    tokens = compact({'access_token': 'at', 'id_token': 'it', 'refresh_token': 'rt', 'token_type': 'Bearer',
                      'expires_in': 86400, 'scope': 'openid'})
    user = compact({'user_id': 'auth0|1', 'email': 'a@example.com', 'app_metadata': {'roles': ['admin']}})
    jwks = compact({'keys': [rsa_jwk(), ec_jwk()]})
    return [
        fields(b'\x00', '200', 'application/json', '', tokens),
        fields(b'\x00', '403', 'application/json', '', '{"error":"invalid_grant","error_description":"Invalid code"}'),
        fields(b'\x01', '200', 'application/json; charset=utf-8', '', user),
        fields(b'\x01', '401', 'text/plain', 'WWW-Authenticate: Bearer error="invalid_token"', 'Unauthorized'),
        fields(b'\x02', '200', 'application/json', 'X-RateLimit-Limit: 50|X-RateLimit-Remaining: 49', user),
        fields(b'\x02', '401', 'application/json', '', '{"statusCode":401,"message":"Expired token"}'),
        fields(b'\x03', '200', 'application/json', '', '[' + user + ']'),
        fields(b'\x03', '429', 'application/json', 'Retry-After: 0|X-RateLimit-Reset: 1', '{"message":"slow"}'),
        fields(b'\x04', '200', 'application/json', '', compact({'access_token': sign(
            {'alg': 'RS256'}, {'exp': NOW + 86400}, 'RS256'), 'expires_in': 86400, 'token_type': 'Bearer'})),
        fields(b'\x04', '200', 'application/json', '', '{"access_token":"","expires_in":-5}'),
        fields(b'\x05', '200', 'application/json', '',
               compact({'users': [{'user_id': 'a'}, {'user_id': 'b'}], 'start': 0, 'limit': 2, 'total': 5})),
        fields(b'\x05', '200', 'application/json', '', '[{"user_id":"a"}]'),
        fields(b'\x06', '200', 'application/json', 'Cache-Control: max-age=600', jwks),
        fields(b'\x06', '200', 'text/html', '', '<html/>'),
        fields(b'\x07', '201', 'application/json', '',
               '{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":90}'),
        fields(b'\x08', '200', 'application/json', '', '{"auth_req_id":"r1","expires_in":300,"interval":5}'),
        fields(b'\x09', '200', 'application/json', '',
               compact({'device_code': 'd', 'user_code': 'ABCD-EFGH', 'verification_uri': 'https://x/activate',
                        'verification_uri_complete': 'https://x/activate?user_code=ABCD-EFGH', 'expires_in': 900,
                        'interval': 5})),
        fields(b'\x0a', '200', 'application/json', '',
               compact({'issuer': ISSUER, 'authorization_endpoint': ISSUER + 'authorize',
                        'jwks_uri': ISSUER + '.well-known/jwks.json'})),
        fields(b'\x0b', '200', 'application/json', '', tokens),
        fields(b'\x0c', '200', 'application/json', '',
               compact({'client_grants': [{'id': 'cg1'}, {'id': 'cg2'}], 'next': 'cursor-2'})),
        fields(b'\x0c', '200', 'application/json', '', '{"client_grants":[],"next":""}'),
        fields(b'\x02', '200', 'text/event-stream', '', 'data: {"type":"s"}\n\n'),
        fields(b'\x02', '204', '', '', ''),
    ]


def mgmt_seeds():
    return [
        fields('GET', 'users/auth0%7C123', 'fields=email,name', 'include_fields=true'),
        fields('GET', 'users', 'per_page=10', 'page=0', 'include_totals=true', 'q=email:"a@example.com"',
               'search_engine=v3'),
        fields('POST', 'users/auth0%7C123/roles'),
        fields('DELETE', 'users/auth0%7C123/authenticators'),
        fields('GET', 'custom-domains/default'),
        fields('GET', 'custom-domains/cd_1'),
        fields('GET', 'users/a%2Fb', 'per_page=x'),
        fields('GET', 'users/%2E%2E/roles'),
        fields('GET', 'users//roles'),
        fields('PATCH', 'organizations/org_1/members/auth0%7C1/roles'),
        fields('GET', 'logs', 'from=123', 'take=50'),
        fields('GET', 'client-grants', 'take=2', 'from', 'audience=https://api'),
        fields('GET', 'users', 'page=1', 'page=2', 'sort=email:1'),
        fields('GET', 'jobs/job_1/errors'),
        fields('POST', 'jobs/users-imports'),
        fields('GET', 'stats/daily', 'from=20240101', 'to=20240131'),
    ]


def client_seeds():
    return [
        fields('example.auth0.com', '', '', '', '', '', b'\x00', ''),
        fields('https://example.eu.auth0.com/', 'https://example.eu.auth0.com/api/v2', 'https://api/', 'X-Request-Id',
               '42', '', b'\x01', ''),
        fields('http://127.0.0.1:8443', 'http://localhost:1/api/v2/', '', 'Accept', 'application/json', 'RS256',
               b'\x03', pem_lines('FZ_RSA_PEM')),
        fields('login.example.com:8443', '', '', 'Authorization', 'x', 'ES256', b'\x03', pem_lines('FZ_EC_PEM')),
        fields('[::1]:443', 'https://[::1]/x', '', 'Bad Name', 'v\r\nX: y', 'HS256', b'\x02', ''),
        fields('http://example.com', 'ftp://x', '', '', '', '', b'\x05', ''),
        fields('https://user@example.com', 'https://example.com/a?b#c', '', '', '', 'none', b'\x04', 'garbage'),
        fields('example.com:99999', '', '', '', '', 'RS512', b'\x03', '-----BEGIN PRIVATE KEY-----\nAAAA\n'),
    ]


def url_seeds():
    return [
        fields('a%20b+c', 'state value/+&=?#', 'https://app.example.com/callback', 'openid profile email'),
        fields('%zz', 'caf\u00e9', '', 'x'),
        fields('%00', '', 'https://app/cb?x=1&y=2', ''),
        fields('ui_locales', 'fr', 'https://app/cb', 'fr-CA en'),
        fields('state', 'override', 'https://app/cb', ''),
        fields('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', '\u2215\uff0f', 'http://x', '%2F%252F'),
        fields('%', '%%', '%%%', '+ +'),
    ]


# ---- mod_auth0 -----------------------------------------------------------------------------------

BINDING = CLIENT_ID + '@fuzz.example.com ' + 'www.example.com'  # session.c binding_of: app, then cookie scope
HOST = 'www.example.com'


def codec(fields, compress=False):
    """codec.c's form: 'a' 1 flags [u32 inflated length] then tag, u32 length, bytes, NUL per field."""
    body = b''
    for tag, v in fields:
        if isinstance(v, int):
            v = (v & (2 ** 64 - 1)).to_bytes(8, 'little')
        elif isinstance(v, str):
            v = v.encode()
        body += bytes([tag]) + len(v).to_bytes(4, 'little') + v + b'\0'
    if compress:
        z = zlib.compressobj(6, zlib.DEFLATED, -15)
        return b'a\x01\x01' + len(body).to_bytes(4, 'little') + z.compress(body) + z.flush()
    return b'a\x01\x00' + body


def identity(claims):
    """A plausible identity block (claim_path.h); the module renders its own at login."""
    out = ''
    for k, v in claims.items():
        name = re.sub('[^A-Za-z0-9-]', '-', re.sub('^https?://', '', k))
        val = v if isinstance(v, str) else json.dumps(v, separators=(',', ':'))
        out += name + '\t' + ''.join(c if 0x20 <= ord(c) < 0x7f and c != '%' else
                                     ''.join('%%%02X' % b for b in c.encode()) for c in val) + '\n'
    return out


def session(over=None):
    claims = {'sub': 'auth0|123', 'email': 'alice@example.com', 'name': 'Alice', 'sid': 'sid-1',
              'https://example.com/roles': ['admin', 'editor'], 'org_id': 'org_fuzz123'}
    f = {1: NOW - 100, 2: NOW - 100, 3: 0, 4: NOW + 3000, 5: BINDING, 6: 'auth0|123', 7: 'sub', 8: 'sid-1',
         9: 'csrf-token-0123456789abcdef0123', 10: compact(claims), 11: identity(claims), 12: 'opaque-access-token',
         13: None, 14: None, 15: None}
    f.update(over or {})
    return [(k, v) for k, v in f.items() if v is not None]


def session_seeds():
    big = {'sub': 'auth0|big', 'groups': ['group-%04d-with-a-long-name' % i for i in range(300)]}
    seeds = [
        fields(b'\x01', b'\x80', codec(session())),
        fields(b'\x01', b'\x80', codec(session({4: NOW + 10, 14: 'refresh-token-1'}))),
        fields(b'\x01', b'\x02', codec(session({4: NOW - 10, 14: 'refresh-token-1'}))),
        fields(b'\x01', b'\x04', codec(session({4: NOW - 10, 13: compact({'scope': 'read'}), 3: NOW - 10}))),
        fields(b'\x01', b'\x80', codec(session({1: NOW - 9 * 3600}))),
        fields(b'\x01', b'\x20', codec(session({2: NOW - 3600}))),
        fields(b'\x01', b'\x80', codec(session({5: 'other-client@fuzz.example.com'}))),
        fields(b'\x01', b'\x80', codec(session({7: 'email', 10: compact(big), 11: identity(big)}), compress=True)),
        fields(b'\x01', b'\x10', codec(session({6: '', 9: ''}))),
        fields(b'\x01', b'\x80', codec(session({1: 2 ** 63 - 1, 2: -2 ** 63, 3: 2 ** 63 - 1}))),
        fields(b'\x01', b'\x80', b'a\x01\x00\x05\xff\xff\xff\x7fx'),
        fields(b'\x01', b'\x80', b'a\x01\x01\x00\x00\x10\x00' + zlib.compress(b'x' * 1000)[2:-4]),
        fields(b'\x02', b'\x01', codec(session())),
        fields(b'\x02', b'\x09', codec(session())),
        fields(b'\x03', b'\x80', (lambda s, r: len(s).to_bytes(2, 'big') + s + r)(
            codec(session({4: NOW + 10, 14: 'refresh-token-1'})),
            codec([(1, 'access-2'), (2, NOW + 3600), (3, 'refresh-2'), (6, 'sub\tauth0|123\n'), (9, 'auth0|123')]))),
        fields('', '__Host-auth0_session=AQ; other=1'),
        fields('', '__Host-auth0_session.0=AQAB; __Host-auth0_session.1=CDEF; __Host-auth0_session.2='),
        fields('', '__Host-auth0_session=s.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
        fields('', '__Host-auth0_session="quoted"; __Host-auth0_session=; ;;=x; a'),
        fields('', 'auth0_session=plain-http-name, __Secure-auth0_session=x'),
    ]
    return seeds


def transaction_seeds():
    def t(**over):
        f = {1: (NOW - 30) * 1000000, 2: 'state-1', 3: 'nonce-1', 4: 'v' * 43, 5: 'https://%s/callback' % HOST,
             6: '/app?x=1'}
        f.update({int(k[1:]): v for k, v in over.items()})
        return codec([(k, v) for k, v in f.items() if v is not None])
    return [
        fields(b'\x01', 'state-1', t()),
        fields(b'\x01', 'state-1', t(t2='state-2')),
        fields(b'\x01', 'state-1', t(t1=(NOW - 3600) * 1000000)),
        fields(b'\x01', 'state-1', t(t1=(NOW + 3600) * 1000000)),
        fields(b'\x01', 'state-1', t(t3=None)),
        fields(b'\x01', 'state-1', t(t6='//evil.example')),
        fields(b'\x01', '', t()),
        fields('', 'state-1', '__Host-auth0_txn_0123456789abcdef=AQ; __Host-auth0_txn_=x; __Host-auth0_txn_a.0=b'),
        fields('', 's', '; '.join('__Host-auth0_txn_%016x=AQID' % i for i in range(12))),
    ]


def claims_seeds():
    c1 = {'sub': 'auth0|123', 'email': 'alice@example.com', 'email_verified': True, 'name': 'Zo\u00eb  ',
          'https://example.com/roles': ['admin', 'a,b'], 'app_metadata': {'plan': 'gold', 'n': 1.5},
          'org_id': 'org_1', 'updated_at': '2024-01-01T00:00:00.000Z', 'n': 42, 'z': None, 'arr': [[1], {}]}
    c2 = {'Email': 'x', 'email': 'y', 'e_mail': 'z', 'e-mail': 'w', 'Access-Token': 'no', 'access_token': 'no',
          'http://': 'empty', 'https://x/\r\nInjected: yes': '\u2028\x00\x7f%41', '': 'e'}
    return [
        fields(b'\x03', 'sub', '', 'X-Auth0-Email|x_auth0_email|X-AUTH0-FOO_BAR|X-Auth0-Foo-Bar', compact(c1)),
        fields(b'\x07', 'app_metadata.plan', 'X-User-', 'x-user-sub|X_USER_SUB|HTTP_X_USER_SUB', compact(c1)),
        fields(b'\x02', 'https://example.com/roles', 'A-', 'AUTH0_CLAIM_sub|AUTH0_ACCESS_TOKEN|a-sub', compact(c2)),
        fields(b'\x01', 'n', '', 'X-Auth0-Access-Token', compact(c2)),
        fields(b'\x05', 'a.b.c.d.e.f.g.h.i', '_', 'x', '{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}}'),
        fields(b'\x03', '', '', '', '[1,2]'),
        fields(b'\x03', 'sub', '', '', '{"sub":18446744073709551615,"x":1e308,"y":-0.0}'),
        # Auth0UserClaim with an expression (FLAGS bit 3) in PCRE's syntax, as httpd runs it (harness.c): a
        # lookahead and \d; leftmost-first alternation, which makes $2 "|123" (POSIX ERE's leftmost-longest
        # would give "auth0|" to $1 and "123" to $2); an escaped '$' in the replacement; no group, no replacement
        fields(b'\x0b', 'email "^(?=[^@]*\\d)([^@]+)@example\\.com$" "user-$1"', '', '',
               compact({'sub': 'auth0|7', 'email': 'bob7@example.com'})),
        fields(b'\x09', 'sub "^(auth0|auth0\\|)(.*)$" "$2\\$"', '', '', compact(c1)),
        fields(b'\x08', 'sub ^auth0\\|\\d+$', '', '', compact(c1)),
    ]


def authz_seeds():
    idc = compact({'sub': 'auth0|1', 'https://example.com/roles': ['admin', 'user'], 'org_id': 'org_fuzz123',
                   'org_name': 'acme', 'app_metadata': {'plan': 'gold', 'tier': 3}, 'email_verified': True})
    atc = compact({'sub': 'auth0|1', 'scope': 'openid read:things write:things', 'permissions': ['read:things', 7],
                   'aud': AUDIENCE})
    return [
        fields(b'\x00', 'app_metadata.plan gold silver', '', '', idc, atc),
        fields(b'\x00', '"app_metadata.tier" 3', '', '', idc, atc),
        fields(b'\x00', 'email_verified true', b'\x02', '', idc, atc),
        fields(b'\x01', 'read:things write:things', '', '', idc, atc),
        fields(b'\x01', '"read:things delete"', b'\x01', '', idc, atc),
        fields(b'\x02', 'read:things 7', b'\x01', '', idc, atc),
        fields(b'\x03', 'admin \'with space\'', '', 'https://example.com/roles', idc, atc),
        fields(b'\x03', 'admin', '', '', idc, atc),
        fields(b'\x04', 'ACME org_fuzz123', '', '', idc, atc),
        fields(b'\x04', 'org_other', b'\x08', '', idc, atc),
        fields(b'\x00', 'onlyname', '', '', idc, atc),
        fields(b'\x01', '', '', '', idc, atc),
        fields(b'\x00', 'sub "auth0|1" \\"esc\\\\', b'\x04', '', '{not json', atc),
        # Require auth0-claim-match (KIND 5) in PCRE's syntax, as httpd runs it (harness.c): \d, a lookahead,
        # (?i), duplicate group names (httpd compiles with PCRE2_DUPNAMES); an expression that does not compile
        fields(b'\x05', 'sub ^auth0\\|\\d+$', '', '', idc, atc),
        fields(b'\x05', 'https://example.com/roles "^adm(?=in$)" "(?i)^USER$"', b'\x04', '', idc, atc),
        fields(b'\x05', 'app_metadata.tier "(?<x>a)|(?<x>b)" ^\\d$', '', '', idc, atc),
        fields(b'\x05', 'email_verified "(" ^true$', '', '', idc, atc),
    ]


REDIRECT_PAYLOADS = [
    '/app/page?x=1', '/', '//evil.example', '/\\evil.example', '/%2F%2Fevil.example', '/%5Cevil.example',
    '/%252F%252Fevil.example', '/%09/evil.example', '/\t/evil.example', '/\u2215\u2215evil.example',
    '/%E2%88%95evil.example', 'https://evil.example/', 'https://www.example.com/ok',
    'HTTPS://WWW.EXAMPLE.COM:443/ok', 'https://www.example.com@evil.example/', 'https://evil.example\\@www.example.com/',
    'https:evil.example', 'http://www.example.com/', '///evil.example', '/.evil.example', 'javascript:alert(1)',
    '/bye?x=1#frag', '/bye', '/byebye', 'https://partner.example.com/after', 'https://PARTNER.example.com/after',
    'https://partner.example.com/after/more', 'https://[::1]/', '/%00', '/%', '/a%2', '/%2e%2e/%2e%2e/x',
    'https://www.example.com%2F@evil.example/', 'https://www.example.com./', '/?<fz>', '/%3Cfz%3E',
]


def redirect_seeds():
    seeds = []
    for i, t in enumerate(REDIRECT_PAYLOADS):
        flags = [0, 1, 3, 8, 16, 32, 4, 2][i % 8]
        fwd = ['', 'X-Forwarded-Proto: https|X-Forwarded-Host: www.example.com|X-Forwarded-Port: 443',
               'Forwarded: for=1.2.3.4;proto=https;host="www.example.com:8443"'][i % 3]
        if i % 3 == 2 and flags & 1:
            flags |= 64  # Auth0TrustForwardedHeaders Forwarded: the header family this seed carries
        seeds.append(fields(t, '/goodbye' if i % 2 else 'https://www.example.com/bye',
                            '/bye https://partner.example.com/after', bytes([flags or 0x80]), fwd,
                            'returnTo=' + re.sub('[^A-Za-z0-9/._-]', lambda m: '%%%02X' % ord(m.group(0)), t)))
    seeds.append(fields('/x', '', '', b'\x08', '', 'returnTo=%2F&returnTo=%2Fb&csrf=x'))
    seeds.append(fields('/x', '', '', b'\x09', 'X-Forwarded-Host: evil.example, www.example.com', 'csrf=x&returnTo=/ok'))
    return seeds


def config_seeds():
    return [fields(s) for s in [
        'Auth0Domain example.auth0.com\nAuth0ClientID abc\nAuth0ClientSecret s3cret\nAuth0RedirectURI /callback\n'
        'Auth0SessionSecret 0123456789abcdef0123456789abcdef\nAuth0Scope "openid profile email offline_access"\n'
        'Auth0Audience https://api.example.com/\nAuth0AuthorizationParam ui_locales "fr en"\n',
        'Auth0Domain https://login.example.com:8443/\nAuth0ClientID abc\nAuth0ClientSecret env:HOME\n'
        'Auth0RedirectURI https://www.example.com/cb\nAuth0SessionSecret fuzz-secret-0123456789-abcdefghijklmn '
        'fuzz-older-secret-9876543210-zyxwvuts\nAuth0CookieName app\nAuth0CookieDomain .example.com\n'
        'Auth0CookieSameSite Strict\nAuth0SessionStore cache\nAuth0SessionInactivityTimeout 15m\n'
        'Auth0SessionMaxDuration 8h\nAuth0LoginTimeout 1d\n',
        'Auth0LogoutPath /logout\nAuth0LogoutReturnTo /bye\nAuth0LogoutReturnToAllow /bye https://partner.example.com/x\n'
        'Auth0LogoutEndpoint oidc\nAuth0UserClaim email\nAuth0PassClaimsAs headers\nAuth0ClaimHeaderPrefix X-User-\n'
        'Auth0PassAccessToken On\nAuth0Unauthenticated 401\nAuth0RolesClaim https://example.com/roles\n',
        'Auth0ClockSkew 30\nAuth0MaxLoginTransactions 3\nAuth0PostLoginURL /home\nAuth0HTTPTimeout 2.5\n'
        'Auth0HTTPRetries 0\nAuth0ManagementBaseURL https://example.auth0.com/api/v2\n'
        'Auth0OutgoingProxy http://127.0.0.1:3128\nAuth0TrustForwardedHeaders on\n'
        'Auth0TrustedProxies 10.0.0.0/8 ::1 192.168.1.1/33\nAuth0ManagementAllow users.* roles.list\n'
        'Auth0RefreshTokens off\n',
        'Auth0Domain http://evil.example\nAuth0RedirectURI //evil\nAuth0Scope profile\nAuth0CookieName __Host-x\n'
        'Auth0SessionSecret short\nAuth0AuthorizationParam state x\nAuth0ClaimHeaderPrefix X\n'
        'Auth0SessionInactivityTimeout 99999999999d\nAuth0ClockSkew 601\nAuth0ClientSecret file:/etc/passwd\n'
        'Auth0ClientAssertionKey /etc/passwd\nAuth0Cache shmcb\nAuth0Unknown x\n',
        'Auth0Domain example.auth0.com\nAuth0ClientID abc\nAuth0ClientSecret s\nAuth0RedirectURI /logout\n'
        'Auth0LogoutPath /logout\nAuth0SessionSecret 0123456789abcdef0123456789abcdef\n'
        'Auth0AuthorizationParam "a b" "c\\"d"\nAuth0Organization org_1\n',
        'Auth0UserClaim email "^([^@]+)@(.+)$" "$2/$1"\nAuth0UserClaim sub ^(x\nAuth0UserClaim sub (a)(b) $3\n'
        'Auth0BearerSigningAlg PS256\nAuth0RefreshBeforeExpiry 5m\nAuth0PushedAuthorizationRequests on\n'
        'Auth0SilentLogin on\nAuth0AuthorizationParam prompt none\n',
    ]]


def callback_seeds():
    return [
        fields('code=abc&state=fuzz-state', b'\x01', '/app/page?x=1', '{}', ''),
        fields('code=abc&state=fuzz-state', b'\x11', '/app', '{"email":"<fz>@example.com"}', 'x=1'),
        fields('code=abc&state=fuzz-state', b'\x03', '/app', '{}', ''),
        fields('code=abc&state=fuzz-state', b'\x05', '/app', '{}', ''),
        fields('code=abc&state=fuzz-state', b'\x01', '//evil.example', '{"nonce":"other"}', ''),
        fields('code=abc&state=fuzz-state', b'\x01', '/app', '{"sub":null,"aud":"other"}', ''),
        fields('code=abc&state=fuzz-state', b'\x09', '/app', '{"exp":1}', ''),
        fields('error=access_denied&error_description=%3Cfz%3E+denied&state=fuzz-state', b'\x01', '/app', '', ''),
        fields('error=server_error', b'\x80', '', '', ''),
        fields('state=a&state=b&code=c', b'\x80', '', '', ''),
        fields('code=%zz&state=%00', b'\x80', '', '', ''),
        fields('', b'\x80', '', '', ''),
        fields('', b'\x08', '', '', ''),
        fields('code=abc&state=other', b'\x01', '/app', '{}', ''),
        fields('code=&state=', b'\x80', '', '', ''),
        # PS256 (bit 5: the ID token, bit 6: Auth0IDTokenSigningAlg): a login where they agree only
        fields('code=abc&state=fuzz-state', b'\x61', '/app', '{}', ''),
        fields('code=abc&state=fuzz-state', b'\x21', '/app', '{}', ''),
        fields('code=abc&state=fuzz-state', b'\x41', '/app', '{}', ''),
        fields('code=abc&state=fuzz-state', b'\x71', '/app', '{"email":"<fz>@example.com"}', 'x=1'),
        fields('code=abc&state=fuzz-state', b'\x61', '/app', '{"nonce":"other"}', ''),
    ]


def admin_seeds():
    same = 'Origin: https://www.example.com|Sec-Fetch-Site: same-origin|X-CSRF-Token: fuzz-csrf-token'
    json_ct = '|Content-Type: application/json|Content-Length: %d'
    user = compact({'user_id': 'auth0|1', 'email': 'a@example.com'})
    body = compact({'roles': ['rol_1']})
    return [
        fields('GET', '/admin/api/users/auth0%7C1?fields=email', b'\x80', '', 'users.*', '200', user, ''),
        fields('GET', '/admin/api/users?per_page=5&page=0&q=email%3A%22a%22', b'\x80', '', 'users.list', '200',
               '[' + user + ']', ''),
        fields('POST', '/admin/api/users/auth0%7C1/roles', b'\x80', same + json_ct % len(body), 'users.roles.*', '204',
               '', body),
        fields('POST', '/admin/api/users/auth0%7C1/roles', b'\x80', 'Origin: https://evil.example' + json_ct % len(body),
               'users.*', '200', '', body),
        fields('DELETE', '/admin/api/users/auth0%7C1', b'\x01', '', '*', '404',
               '{"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"}', ''),
        fields('PATCH', '/admin/api/users/auth0%7C1', b'\x80', same + json_ct % 14, 'users.update', '429',
               '{"message":"slow down"}', '{"blocked":tru'),
        fields('GET', '/admin/api/users/..%2F..%2Fclients', b'\x80', '', '*', '200', '{}', ''),
        fields('GET', '/admin/api/users/%2e%2e/roles', b'\x80', '', '*', '200', '{}', ''),
        fields('GET', '/admin/api//users', b'\x80', '', '*', '200', '{}', ''),
        fields('GET', '/admin/api\\users', b'\x80', '', '*', '200', '{}', ''),
        fields('OPTIONS', '/admin/api/users/x', b'\x80', '', '', '200', '', ''),
        fields('PUT', '/admin/api/custom-domains/default', b'\x80', same, 'custom_domains.*', '200', '{}', ''),
        fields('TRACE', '/admin/api/users', b'\x80', '', '*', '200', '', ''),
        fields('GET', '/admin/%61pi/users', b'\x80', '', '*', '200', '{}', ''),
        fields('GET', '/admin/api/clients?fields=a&fields=b&include_fields=maybe', b'\x01', '', 'clients.*', '500',
               'not json', ''),
        fields('POST', '/admin/api/jobs/users-imports', b'\x01', 'Content-Type: multipart/form-data|Content-Length: 5',
               'jobs.*', '200', '{}', 'hello'),
        fields('POST', '/admin/api/roles', b'\x01', 'Content-Type: application/json|Transfer-Encoding: chunked',
               'roles.create', '201', '{"id":"rol_1"}', '{"name":"r","name":"dup"}'),
        fields('GET', '/admin', b'\x02', '', '', '', '{"email":"<fz>\\"@example.com"}', ''),
        fields('GET', '/admin/admin.js', b'\x02', 'If-None-Match: *', '', '', '{}', ''),
        fields('GET', '/admin/../admin.css', b'\x02', '', '', '', '{}', ''),
        fields('POST', '/admin/', b'\x02', '', '', '', '', ''),
    ]


def bearer_seeds():
    entry = lambda until, user, claims, block: 'A0B2 %d %d %d %d %d\n%s%s%s' % (
        until, until, len(user), len(claims), len(block), user, claims, block)
    return [
        fields('', 'Bearer e30.e30.e30', ''),
        fields('', 'Bearer e30.e30.A=', ''),
        fields('', 'bearer  abc-._~+/def==', ''),
        fields('', 'Basic dXNlcjpwYXNz', ''),
        fields('', 'Bearer', ''),
        fields('', 'Bearer a b', ''),
        fields('', 'Bearer abc', 'Bearer def'),
        fields('', 'Bearer abc, Bearer def', '!My "API" realm\\'),
        fields('', 'Bearer ' + sign({'alg': 'RS256', 'kid': KID_RSA}, access_claims(exp=4102444800, iat=NOW), 'RS256'),
               ''),
        fields(b'\x01', '{}'),
        fields(b'\x01', ' {"sub":"auth0|ec"}'),
        fields(b'\x01', '{"aud":"other"}'),
        fields(b'\x01', '{"exp":"soon","sub":42}'),
        fields(b'\x01', '{"sub":"","https://example.com/roles":["a"]}'),
        fields(b'\x01', '{"org_id":"org_1","nbf":9999999999}'),
        fields(b'\x02', 'abc.def.ghi', entry(4102444800, 'auth0|1', '{"sub":"auth0|1"}', 'sub\tauth0|1\n')),
        fields(b'\x02', 'abc.def.ghi', entry(1, 'u', '{}', '')),
        fields(b'\x02', 'abc.def.ghi', 'A0B2 99999999999999999999 1 1 1 1\nabc'),
        fields(b'\x02', 'abc.def.ghi', 'A0B2 1 1 0 0 0\n'),
        # sender-constrained: a DPoP-bound token (refused), the DPoP scheme
        fields(b'\x01', '{"cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}'),
        fields('', 'DPoP e30.e30.e30', ''),
        # tokens from the query and a cookie (Auth0BearerTokenFrom header query cookie:api_token)
        fields('', '', '', 'x=1&access_token=e30.e30.e30&y=2', ''),
        fields('', '', '', 'access%5Ftoken=a&access_token=b&%ZZ', ''),
        fields('', 'Bearer abc', '', 'access_token=abc', ''),
        fields('', '', '', '', 'theme=dark; api_token="e30.e30.e30"; api_token=x'),
        fields('', '', '', 'access_token=&&=&access_token', 'api_token='),
    ]


def preserve_post_seeds():
    form = 'application/x-www-form-urlencoded'
    return [
        fields(b'\x01', '', 'note=h%C3%A9llo+w%C3%B6rld&tag=a&tag=b&html=%3Cb%3E%22q%22+%26+%27s%27%3C%2Fb%3E'),
        fields(b'\x01', '', 'lines=one%0D%0Atwo&empty=&=noname&novalue&&x=%E2%9C%93'),
        fields(b'\x03', '', 'n=' + 'x' * 62),
        fields(b'\x03', '', 'n=' + 'x' * 63),
        fields(b'\x05', '', 'note=kept+in+a+failing+cache'),
        fields(b'\x01', '', 'note=caf%E9'),
        fields(b'\x01', '', 'note=a%00b'),
        fields(b'\x01', '', b'note=raw\x00nul'),
        fields(b'\x00', 'Content-Type: ' + form + '; charset=UTF-8|Sec-Fetch-Site: same-origin', 'a=1'),
        fields(b'\x00', 'Content-Type: ' + form + '|Origin: https://evil.example', 'a=1'),
        fields(b'\x00', 'Content-Type: multipart/form-data; boundary=x|Origin: https://www.example.com',
               '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n'),
        fields(b'\x01', 'Content-Length: 99999', 'a=1'),
    ]


def main():
    write('jwt', jwt_seeds())
    write('jwks', jwks_seeds())
    write('responses', responses_seeds())
    write('tenant', tenant_seeds())
    write('mgmt', mgmt_seeds())
    write('client', client_seeds())
    write('url', url_seeds())
    write('session', session_seeds())
    write('transaction', transaction_seeds())
    write('claims', claims_seeds())
    write('authz', authz_seeds())
    write('redirects', redirect_seeds())
    write('config', config_seeds())
    write('callback', callback_seeds())
    write('admin', admin_seeds())
    write('bearer', bearer_seeds())
    write('preserve_post', preserve_post_seeds())


if __name__ == '__main__':
    main()
