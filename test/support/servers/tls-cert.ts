import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface TestCert {
  key: string;
  cert: string;
  /** notAfter as epoch seconds, the unit Observation.certExpiry uses. */
  notAfter: number;
}

const DAY = 86_400_000;

/**
 * A self-signed certificate for 127.0.0.1/localhost with the given validity window. The key pair
 * comes from node's crypto (forge's pure-JS RSA generation is slower still); forge builds and
 * signs the certificate, because node cannot set notBefore/notAfter in the past.
 */
export function selfSignedCert(opts: { notBefore: Date; notAfter: Date; commonName?: string }): TestCert {
  const { key, publicKeyPem } = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  // X.509 times have one-second resolution; drop the milliseconds so notAfter compares exactly.
  cert.validity.notBefore = new Date(Math.floor(opts.notBefore.getTime() / 1000) * 1000);
  cert.validity.notAfter = new Date(Math.floor(opts.notAfter.getTime() / 1000) * 1000);
  const subject = [{ name: 'commonName', value: opts.commonName ?? 'nines-test.local' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(key), forge.md.sha256.create());
  return { key, cert: forge.pki.certificateToPem(cert), notAfter: cert.validity.notAfter.getTime() / 1000 };
}

let cachedKey: { key: string; publicKeyPem: string } | undefined;

/** One RSA key per test process: generating one can take seconds on a busy machine, and the certificates only differ in dates. */
function keyPair(): { key: string; publicKeyPem: string } {
  if (!cachedKey) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    cachedKey = { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }
  return cachedKey;
}

/** Valid from `fromDays` to `toDays` relative to now (negative is the past). */
export function certValidBetween(fromDays: number, toDays: number): TestCert {
  const now = Date.now();
  return selfSignedCert({ notBefore: new Date(now + fromDays * DAY), notAfter: new Date(now + toDays * DAY) });
}
