package dev.writeback.portal;

import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of one reset (DESIGN §12, the seed "How does the password reset portal work"): user id and proof of
 * work, checks, a code by mail, new password or unlock, result. Every POST redirects to the tenant's one page,
 * which shows the session's current step (post/redirect/get: reloading never repeats an action).
 *
 * <p>Anti-enumeration by construction: an unknown, disabled, protected or mail-less user id goes through exactly
 * the same steps, counters and pages as a real one; the only difference is that no mail leaves, and no code can
 * ever verify.
 */
final class Flow {
    static final String METHOD = "email";
    private static final Logger logger = LoggerFactory.getLogger(Flow.class);
    private static final Set<String> PASSWORD_FIELDS = Set.of("newPassword", "confirmPassword");

    private final PortalConfig config;
    private final PortalStore store;
    private final Writeback writeback;
    private final Limits limits;
    private final Hashes hashes;
    private final SecureRandom random;
    private final Mailing mailing;

    Flow(PortalConfig config, PortalStore store, Writeback writeback, Limits limits, Hashes hashes,
         SecureRandom random, Mailing mailing) {
        this.config = config;
        this.store = store;
        this.writeback = writeback;
        this.limits = limits;
        this.hashes = hashes;
        this.random = random;
        this.mailing = mailing;
    }

    // ---- GET: the page of the current step

    PortalResponse show(Session s, PortalRequest request) {
        s.locale(request);
        FlowState st = s.state;
        if (st.step == FlowState.Step.START && !writebackUsable(s)) {
            st.step = FlowState.Step.UNAVAILABLE;
            st.unavailable = "writeback";
            audit(s, PortalAudit.Step.PORTAL_START, st.userId, "WRITEBACK_DOWN", "");
            logger.info("POR-503 reset refused at the start: writeback not UP tenant={} support={}",
                    s.settings.tenantName(), st.supportCode);
        }
        var model = s.model(st.step.name().toLowerCase(java.util.Locale.ROOT));
        String template;
        int status = 200;
        switch (st.step) {
            case START -> {
                template = "start";
                model.put("challenge", st.challenge);
                model.put("bits", s.settings.captchaBits());
                model.put("userId", st.userId);
            }
            case CODE_SENT -> {
                template = "verify";
                model.put("userId", st.userId);
                model.put("digits", s.settings.codeDigits());
            }
            case VERIFIED -> {
                if (s.settings.allowUnlockWithoutReset() && st.choice == null) {
                    template = "choose";
                } else {
                    template = "password";
                    PasswordPolicy p = st.policy();
                    model.put("minLength", p.minLength());
                    model.put("complexity", p.complexity());
                    model.put("history", p.history());
                    model.put("userId", st.userId);
                }
            }
            case DONE -> {
                template = "message";
                result(s, model);
            }
            case LOCKED -> {
                template = "message";
                status = 429;
                message(model, s, "locked.heading", "user".equals(st.lockedWhat) ? "locked.user" : "locked.address",
                        "failed");
            }
            default -> {
                template = "message";
                status = 503;
                message(model, s, "unavailable.heading", "unavailable.writeback", "failed");
            }
        }
        save(s);
        return PortalResponse.html(status, s.render(template, model), s.cookieHeader(config.clock().instant()));
    }

    private void message(Map<String, Object> model, Session s, String heading, String text, String tone) {
        model.put("heading", Messages.get(s.locale(), heading));
        model.put("message", Messages.get(s.locale(), text, s.contact()));
        model.put("tone", tone);
        model.put("again", true);
    }

    private void result(Session s, Map<String, Object> model) {
        ResultCode code = ResultCode.valueOf(s.state.resultCode);
        boolean ok = code == ResultCode.SUCCESS;
        boolean unknown = code == ResultCode.TIMEOUT || code == ResultCode.OUTCOME_UNKNOWN;
        String key = ok ? "result.SUCCESS." + s.state.resultOperation : "result." + code.name();
        model.put("heading", Messages.get(s.locale(), ok ? "result.heading.ok" : unknown ? "result.heading.unknown"
                : "result.heading.failed"));
        model.put("message", Messages.get(s.locale(), key, s.contact()));
        model.put("tone", ok ? "ok" : "failed");
        model.put("note", ok ? Messages.get(s.locale(), "result.signIn") : "");
        model.put("again", !ok);
    }

    // ---- POST: one action, then back to the page

    PortalResponse submit(Session s, PortalRequest request, String action) {
        s.locale(request);
        Set<String> secretFields = action.equals("password") ? PASSWORD_FIELDS : Set.of();
        try (FormBody form = FormBody.parse(request.body(), secretFields)) {
            request.wipe();
            if (s.fresh || !Hashes.same(s.state.csrf, form.field("csrf"))) {
                return expired(s);
            }
            switch (action) {
                case "start" -> start(s, form, request.source());
                case "verify" -> verify(s, form, request.source());
                case "choose" -> choose(s, form);
                case "password" -> password(s, form);
                default -> restart(s);
            }
        }
        save(s);
        return PortalResponse.redirect(s.base(), s.cookieHeader(config.clock().instant()));
    }

    /** A POST without a live session or with a wrong CSRF token: nothing happens, a new session starts. */
    private PortalResponse expired(Session s) {
        Session created = Session.create(s.settings, config.clock().instant(), random, null);
        created.state.locale = s.state.locale;
        created.state.error("userId", "error.expired");
        save(created);
        return PortalResponse.redirect(s.base(), created.cookieHeader(config.clock().instant()));
    }

    /** Back to the first step in the same session (its 15 minutes keep running), with a new support code. */
    private void restart(Session s) {
        FlowState st = s.state;
        st.challenge = Captcha.challenge(random);
        st.supportCode = Portal.newSupportCode();
        st.step = FlowState.Step.START;
        st.userId = "";
        st.userKey = null;
        st.anchor = null;
        st.displayName = "";
        st.mailTo = null;
        st.codeHash = null;
        st.choice = null;
        st.resultCode = null;
        st.resultOperation = null;
        st.lockedWhat = null;
        st.unavailable = null;
    }

    private void start(Session s, FormBody form, String source) {
        FlowState st = s.state;
        if (st.step != FlowState.Step.START) {
            return;
        }
        String tenantId = s.settings.tenantId();
        String addressKey = hashes.address(tenantId, source);
        String userId = form.field("userId").strip();
        boolean solved = Captcha.solves(st.challenge, form.field("pow"), s.settings.captchaBits());
        st.challenge = Captcha.challenge(random);   // every challenge is used once
        if (limits.locked(tenantId, addressKey).isPresent() || !limits.startFrom(tenantId, addressKey)) {
            lock(s, "address", userId);
            return;
        }
        if (!solved) {
            st.userId = userId.length() <= 256 ? userId : "";
            st.error("userId", "error.captcha");
            return;
        }
        if (userId.isEmpty()) {
            st.error("userId", "error.userId.required");
            return;
        }
        if (userId.length() > 256 || userId.chars().anyMatch(Character::isISOControl)) {
            st.userId = "";
            st.error("userId", "error.userId.invalid");
            return;
        }
        st.userId = userId;
        st.userKey = hashes.user(tenantId, userId);
        if (!writebackUsable(s)) {
            st.step = FlowState.Step.UNAVAILABLE;
            st.unavailable = "writeback";
            audit(s, PortalAudit.Step.PORTAL_START, userId, "WRITEBACK_DOWN", "");
            return;
        }
        if (limits.locked(tenantId, st.userKey).isPresent() || !limits.mail(tenantId, st.userKey)) {
            lock(s, "user", userId);
            return;
        }
        Lookup lookup = await(writeback.lookup(tenantId, userId), Lookup.failed("", ResultCode.TIMEOUT));
        if (lookup.code() != ResultCode.SUCCESS && lookup.code() != ResultCode.USER_NOT_FOUND
                && lookup.code() != ResultCode.MULTIPLE_MATCHES) {
            st.step = FlowState.Step.UNAVAILABLE;   // the relay or the directory failed: says nothing about the user
            st.unavailable = "writeback";
            audit(s, PortalAudit.Step.PORTAL_LOOKUP, userId, lookup.code().name(), "lookupRequestId=" + lookup.requestId());
            return;
        }
        sendCode(s, lookup);
    }

    /** Makes a code for every user id; mails it only when the id named an eligible account. */
    private void sendCode(Session s, Lookup lookup) {
        FlowState st = s.state;
        int digits = s.settings.codeDigits();
        String code = code(digits);
        st.codeHash = hashes.of("code", s.key(), code);
        st.codeExpiresAt = config.clock().instant().plus(PortalConfig.CODE_TTL).toEpochMilli();
        st.step = FlowState.Step.CODE_SENT;
        Account account = lookup.account();
        String why;
        if (account == null) {
            why = lookup.code().name();
        } else if (!account.enabled()) {
            why = "ACCOUNT_DISABLED";
        } else if (account.protectedAccount()) {
            why = "PROTECTED_ACCOUNT";
        } else if (account.mail().isEmpty()) {
            why = "NO_METHOD";
        } else {
            why = null;
        }
        if (why == null) {
            st.anchor = account.anchor().toString();
            st.displayName = account.displayName();
            st.mailTo = account.mail().get(0);
            st.policy(account.policy());
            mailing.sendCode(s.settings, st.mailTo, account.displayName(), code, st.supportCode, s.locale());
            audit(s, PortalAudit.Step.PORTAL_CODE_SENT, st.anchor, "OK", "lookupRequestId=" + lookup.requestId());
        } else {
            st.anchor = null;
            st.policy(PasswordPolicy.DEFAULT);
            audit(s, PortalAudit.Step.PORTAL_CODE_SENT, account != null ? account.anchor().toString() : "userid:" + st.userId,
                    "NOT_SENT", "reason=" + why + " lookupRequestId=" + lookup.requestId());
        }
    }

    private String code(int digits) {
        int bound = (int) Math.pow(10, digits);
        return String.format("%0" + digits + "d", random.nextInt(bound));
    }

    private void verify(Session s, FormBody form, String source) {
        FlowState st = s.state;
        if (st.step != FlowState.Step.CODE_SENT) {
            return;
        }
        String tenantId = s.settings.tenantId();
        if (limits.locked(tenantId, st.userKey).isPresent()) {
            lock(s, "user", st.userId);
            return;
        }
        String code = form.field("code").strip();
        int digits = s.settings.codeDigits();
        if (code.length() != digits || !code.chars().allMatch(c -> c >= '0' && c <= '9')) {
            st.error("code", "verify.format", digits);
            return;
        }
        boolean fresh = config.clock().millis() < st.codeExpiresAt;
        boolean matches = Hashes.same(st.codeHash, hashes.of("code", s.key(), code));
        if (!(matches && fresh && st.anchor != null)) {
            int left = limits.failed(tenantId, st.userKey, hashes.address(tenantId, source));
            audit(s, PortalAudit.Step.PORTAL_VERIFY, subject(st), left == 0 ? "LOCKED_OUT" : "WRONG_CODE", "attemptsLeft=" + left);
            if (left == 0) {
                lock(s, "user", st.userId);
            } else {
                st.error("code", "verify.wrong", left);
            }
            return;
        }
        st.codeHash = null;   // single use
        st.step = FlowState.Step.VERIFIED;
        audit(s, PortalAudit.Step.PORTAL_VERIFY, st.anchor, "OK", "");
    }

    private void choose(Session s, FormBody form) {
        FlowState st = s.state;
        if (st.step != FlowState.Step.VERIFIED || !s.settings.allowUnlockWithoutReset()) {
            return;
        }
        if (form.field("choice").equals("unlock")) {
            st.choice = "unlock";
            WritebackResult r = await(writeback.unlock(s.settings.tenantId(), Anchor.parse(st.anchor)),
                    new WritebackResult("", ResultCode.TIMEOUT, PolicyReason.NONE));
            finish(s, "unlock", r);
        } else {
            st.choice = "reset";
        }
    }

    private void password(Session s, FormBody form) {
        FlowState st = s.state;
        if (st.step != FlowState.Step.VERIFIED) {
            return;
        }
        Secret password = form.secret("newPassword");
        Secret confirm = form.secret("confirmPassword");
        PasswordPolicy policy = st.policy();
        PasswordPolicy.Rule broken = policy.check(password, confirm);
        if (broken != null) {
            st.error("newPassword", "rule." + broken.name(), policy.minLength());
            return;
        }
        WritebackResult r = await(writeback.reset(s.settings.tenantId(), Anchor.parse(st.anchor), password, true),
                new WritebackResult("", ResultCode.TIMEOUT, PolicyReason.NONE));
        if (r.code() == ResultCode.POLICY_VIOLATION) {
            audit(s, r.requestId(), PortalAudit.Step.PORTAL_RESET, st.anchor, r.code().name(), "reason=" + r.reason());
            st.error("newPassword", "policy." + r.reason().name(), r.reason() == PolicyReason.MIN_AGE
                    ? s.contact() : policy.minLength());
            return;
        }
        finish(s, "reset", r);
    }

    private void finish(Session s, String operation, WritebackResult r) {
        FlowState st = s.state;
        String flowCode = st.supportCode;
        if (!r.requestId().isEmpty()) {
            st.supportCode = r.requestId();   // from now on the user quotes the operation's request id
        }
        st.step = FlowState.Step.DONE;
        st.resultCode = r.code().name();
        st.resultOperation = operation;
        if (r.code() == ResultCode.SUCCESS) {
            limits.succeeded(s.settings.tenantId(), st.userKey);
        }
        audit(s, st.supportCode, operation.equals("reset") ? PortalAudit.Step.PORTAL_RESET : PortalAudit.Step.PORTAL_UNLOCK, st.anchor,
                r.code().name(), (r.reason() == PolicyReason.NONE ? "" : "reason=" + r.reason() + " ") + "flow=" + flowCode);
    }

    private void lock(Session s, String what, String userId) {
        s.state.step = FlowState.Step.LOCKED;
        s.state.lockedWhat = what;
        audit(s, PortalAudit.Step.PORTAL_LOCKED, s.state.anchor != null ? s.state.anchor : "userid:" + userId, "LOCKED_OUT", "by=" + what);
        logger.info("POR-429 locked out of the portal by its limits: {} tenant={} support={}", what,
                s.settings.tenantName(), s.state.supportCode);
    }

    private static String subject(FlowState st) {
        return st.anchor != null ? st.anchor : "userid:" + st.userId;
    }

    private boolean writebackUsable(Session s) {
        return await(writeback.status(s.settings.tenantId()), WritebackState.DOWN).usable();
    }

    private <T> T await(CompletableFuture<T> future, T onFailure) {
        try {
            return future.get(config.writebackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return onFailure;
        } catch (ExecutionException | TimeoutException e) {
            logger.warn("POR-500 writeback call failed: {}", e.toString());
            return onFailure;
        }
    }

    private void audit(Session s, PortalAudit.Step step, String subject, String result, String detail) {
        audit(s, s.state.supportCode, step, subject, result, detail);
    }

    private void audit(Session s, String supportCode, PortalAudit.Step step, String subject, String result, String detail) {
        store.audit(new PortalAudit(config.clock().instant(), s.settings.tenantId(), supportCode, step,
                subject == null || subject.isEmpty() ? "userid:" : subject, result,
                step == PortalAudit.Step.PORTAL_START ? "" : METHOD, detail));
        logger.info("POR-200 {} result={} tenant={} support={}", step, result, s.settings.tenantName(), supportCode);
    }

    private void save(Session s) {
        store.saveSession(s.key(), s.state.tenantId, Instant.ofEpochMilli(s.state.expiresAt), s.state.toBytes());
    }
}
