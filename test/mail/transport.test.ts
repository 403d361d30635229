import { mailConfigFromEnv } from '../../src/mail/config';
import { smtpOptions } from '../../src/mail/transport';

describe('SMTP transport options', () => {
  it('uses implicit TLS for smtps:// with TLS 1.2+, certificate checks and no file or URL access', () => {
    const o = smtpOptions('smtps://user:p%40ss@mail.example.org');
    expect(o).toMatchObject({
      host: 'mail.example.org',
      port: 465,
      secure: true,
      tls: { minVersion: 'TLSv1.2', rejectUnauthorized: true },
      auth: { user: 'user', pass: 'p@ss' },
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  });

  it('requires STARTTLS on smtp:// (587 by default)', () => {
    expect(smtpOptions('smtp://mail.example.org')).toMatchObject({ port: 587, secure: false, requireTLS: true });
    expect(smtpOptions('smtp://mail.example.org:25')).toMatchObject({ requireTLS: true });
  });

  it('allows a plain session only for a loopback test server off the submission ports', () => {
    expect(smtpOptions('smtp://127.0.0.1:2525', true)).toMatchObject({
      requireTLS: false,
      tls: { rejectUnauthorized: false },
    });
    expect(() => smtpOptions('smtp://mail.example.org:2525', true)).toThrow(/only for a loopback/);
    expect(() => smtpOptions('smtp://127.0.0.1:587', true)).toThrow(/only for a loopback/);
  });

  it('reads SMTP_URL and MAIL_FROM and refuses a From header with a line break', () => {
    expect(mailConfigFromEnv({ SMTP_URL: 'smtps://u:p@h:465', MAIL_FROM: 'x <x@y.z>' })).toMatchObject({
      transport: { kind: 'smtp', url: 'smtps://u:p@h:465', insecureLoopback: false },
      from: 'x <x@y.z>',
      digestGraceMs: 2000,
      publicUrl: 'http://localhost:8080',
    });
    expect(() => mailConfigFromEnv({ MAIL_FROM: 'x <x@y.z>\r\nBcc: a@b.c' })).toThrow(
      /MAIL_FROM contains a line break/,
    );
    expect(() => mailConfigFromEnv({ SMTP_URL: 'http://nope' })).toThrow(/SMTP_URL/);
  });
});

describe('TLS enforcement against a real server', () => {
  it('refuses to send to a server that offers no STARTTLS unless the loopback opt-out is set', async () => {
    const { TestSmtpServer } = await import('./smtp');
    const { smtpMailer } = await import('../../src/mail/transport');
    const smtp = new TestSmtpServer();
    await smtp.start();
    const strict = smtpMailer(smtp.url, 'duban <duban@duban.test>');
    const mail = {
      to: { name: '王联络', address: 'czt.officer@duban.test' },
      subject: '测试',
      text: 't',
      html: '<p>t</p>',
      messageId: '<t@duban.test>',
    };
    try {
      await expect(strict.send(mail)).rejects.toThrow(/STARTTLS/i);
      expect(smtp.received).toHaveLength(0);
      const optedOut = smtpMailer(smtp.url, 'duban <duban@duban.test>', true);
      await optedOut.send(mail);
      expect(smtp.received).toHaveLength(1);
      optedOut.close();
    } finally {
      strict.close();
      await smtp.stop();
    }
  });
});
