// The portal's only script, served by the portal itself (CSP script-src 'self'; no inline script).
// 1. The start page's proof of work: find a nonce so that SHA-256(challenge ":" nonce) starts with `bits` zero
//    bits. It runs in the browser only, with no third-party service, and the server checks it with one hash.
// 2. The password page: show which rules the new password meets, and stop a submit that breaks one.
(function () {
  'use strict';

  var K = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];

  // SHA-256 of an ASCII string (FIPS 180-4); returns the first 32-bit word, all the proof of work looks at.
  function sha256FirstWord(text) {
    var n = text.length, words = [], i;
    for (i = 0; i < n; i++) { words[i >> 2] |= (text.charCodeAt(i) & 0xff) << (24 - (i % 4) * 8); }
    words[n >> 2] |= 0x80 << (24 - (n % 4) * 8);
    var total = ((n + 8) >> 6) * 16 + 16;
    for (i = 0; i < total; i++) { words[i] = words[i] | 0; }
    words[total - 1] = n * 8;
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    for (var block = 0; block < total; block += 16) {
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i++) {
        if (i < 16) {
          w[i] = words[block + i];
        } else {
          var x = w[i - 15], y = w[i - 2];
          var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
          var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
          w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
        }
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (k + S1 + ch + K[i] + w[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    return h[0] >>> 0;
  }

  function proofOfWork(form) {
    var challenge = form.getAttribute('data-challenge');
    var bits = parseInt(form.getAttribute('data-bits'), 10) || 0;
    var field = document.getElementById('pow');
    var status = document.getElementById('pow-status');
    var done = false, submitWhenDone = false;
    var limit = bits === 0 ? 0 : Math.pow(2, 32 - bits);
    function finish(nonce) {
      field.value = String(nonce);
      done = true;
      status.textContent = status.getAttribute('data-done');
      if (submitWhenDone) { form.submit(); }
    }
    if (bits === 0) { finish(0); return; }
    status.textContent = status.getAttribute('data-working');
    var nonce = 0;
    function work() {
      var stop = nonce + 20000;
      for (; nonce < stop; nonce++) {
        if (sha256FirstWord(challenge + ':' + nonce) < limit) { finish(nonce); return; }
      }
      setTimeout(work, 0);
    }
    setTimeout(work, 0);
    form.addEventListener('submit', function (event) {
      if (!done) { event.preventDefault(); submitWhenDone = true; }
    });
  }

  function categories(p) {
    var n = 0;
    if (/\p{Lu}/u.test(p)) { n++; }
    if (/\p{Ll}/u.test(p)) { n++; }
    if (/\p{Nd}/u.test(p)) { n++; }
    // as Active Directory counts (PasswordCategories): its special characters, and letters without case
    if (/[~!@#$%^&*_\-+=`|\\(){}\[\]:;"'<>,.?\/ ]/.test(p)) { n++; }
    if (/[\p{Lo}\p{Lt}\p{Lm}]/u.test(p)) { n++; }
    return n;
  }

  function passwordChecks(form) {
    var min = parseInt(form.getAttribute('data-min-length'), 10) || 0;
    var complexity = form.getAttribute('data-complexity') === 'true';
    var pw = document.getElementById('newPassword');
    var confirm = document.getElementById('confirmPassword');
    var error = document.getElementById('newPassword-error');
    var lengthItem = document.querySelector('[data-rule=length]');
    var complexityItem = document.querySelector('[data-rule=complexity]');
    function mark(item, ok) {
      if (item) { item.className = ok ? 'met' : 'unmet'; }
    }
    function broken() {
      var p = pw.value;
      mark(lengthItem, p.length >= min);
      if (complexity) { mark(complexityItem, categories(p) >= 3); }
      if (p.length < min) { return form.getAttribute('data-msg-short'); }
      if (complexity && categories(p) < 3) { return form.getAttribute('data-msg-complexity'); }
      if (p !== confirm.value) { return form.getAttribute('data-msg-mismatch'); }
      return null;
    }
    pw.addEventListener('input', broken);
    form.addEventListener('submit', function (event) {
      var message = broken();
      if (message) {
        event.preventDefault();
        error.textContent = message;
        error.hidden = false;
        pw.setAttribute('aria-invalid', 'true');
        pw.focus();
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var start = document.getElementById('start');
    if (start) { proofOfWork(start); }
    var password = document.getElementById('password');
    if (password) { passwordChecks(password); }
    var summary = document.getElementById('error-summary');
    if (summary) { summary.focus(); }
  });
}());
