// A real SMTP server on loopback (the smtp-server package) that keeps every delivered mail,
// parsed with mailparser, for the tests to read. Mails are queued per recipient; nextMailTo()
// resolves with the next one for an address (waiting for it to arrive, never sleeping).

import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

// Only matters when a mail never comes: the failure then says so instead of hanging.
const MAIL_TIMEOUT_MS = 15_000;

// `port`: a fixed port (a sink that comes up where Basalt was already told to send); 0 picks a
// free one.
export async function startSmtpSink({ port = 0 } = {}) {
  const delivered = new Map(); // address -> parsed mails not yet read
  const waiting = new Map(); // address -> resolvers waiting for one
  const envelopes = [];

  const deliver = (address, mail) => {
    const resolvers = waiting.get(address);
    if (resolvers?.length) {
      resolvers.shift()(mail);
      return;
    }
    if (!delivered.has(address)) delivered.set(address, []);
    delivered.get(address).push(mail);
  };

  const server = new SMTPServer({
    // Plain SMTP on loopback: no TLS certificate to trust; Basalt tries STARTTLS only when offered.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
          envelopes.push({ from: session.envelope.mailFrom.address, to: recipients });
          for (const address of recipients) deliver(address, mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  const nextMailTo = (address) => {
    const key = address.toLowerCase();
    const ready = delivered.get(key);
    if (ready?.length) return Promise.resolve(ready.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no mail to ${address} within ${MAIL_TIMEOUT_MS} ms`)),
        MAIL_TIMEOUT_MS,
      );
      if (!waiting.has(key)) waiting.set(key, []);
      waiting.get(key).push((mail) => {
        clearTimeout(timer);
        resolve(mail);
      });
    });
  };

  return {
    port: server.server.address().port,
    envelopes,
    nextMailTo,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// Requests an OTP for `email` through `collection` (an SDK RecordService) and returns its id
// with the code `sink` received (`length` digits).
export async function mailedOtp(sink, collection, email, length = 8) {
  const { otpId } = await collection.requestOTP(email);
  const mail = await sink.nextMailTo(email);
  const code = new RegExp(`(\\d{${length}})`).exec(mail.text)?.[1];
  if (!code) throw new Error(`no ${length}-digit code in: ${mail.text}`);
  return { otpId, code };
}
