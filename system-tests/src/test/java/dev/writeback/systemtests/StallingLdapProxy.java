package dev.writeback.systemtests;

import com.unboundid.ldap.listener.LDAPListener;
import com.unboundid.ldap.listener.LDAPListenerClientConnection;
import com.unboundid.ldap.listener.LDAPListenerConfig;
import com.unboundid.ldap.listener.LDAPListenerRequestHandler;
import com.unboundid.ldap.listener.ProxyRequestHandler;
import com.unboundid.ldap.protocol.AddRequestProtocolOp;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.CompareRequestProtocolOp;
import com.unboundid.ldap.protocol.DeleteRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyDNRequestProtocolOp;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An LDAPS proxy in front of a directory that can hold modify requests (password writes) until released, so a test
 * knows an agent has ACCEPTED a request and is inside the directory write when it kills something. It presents the
 * directory's own certificate, so agents pin the same fingerprint.
 */
final class StallingLdapProxy implements AutoCloseable {
    private final LDAPListener listener;
    private final AtomicInteger modifiesSeen = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    /** {@code keyStore} is the directory's PKCS#12 key store. */
    StallingLdapProxy(int directoryLdapsPort, Path keyStore, char[] keyStorePassword) throws Exception {
        var backend = new SingleServerSet("127.0.0.1", directoryLdapsPort,
                new SSLUtil(new TrustAllTrustManager()).createSSLSocketFactory());
        var serverTls = new SSLUtil(new KeyStoreKeyManager(keyStore.toFile(), keyStorePassword, "PKCS12", null), null);
        var config = new LDAPListenerConfig(0, new Handler(new ProxyRequestHandler(backend)));
        config.setListenAddress(InetAddress.getLoopbackAddress());
        config.setServerSocketFactory(serverTls.createSSLServerSocketFactory());
        listener = new LDAPListener(config);
        listener.startListening();
    }

    String url() {
        return "ldaps://127.0.0.1:" + listener.getListenPort();
    }

    /** Holds every modify from now on until {@link #release()}. */
    void stall() {
        gate = new CountDownLatch(1);
    }

    /** Lets held and future modifies through. */
    void release() {
        gate.countDown();
    }

    /** Modify requests that reached the proxy so far (held or not). */
    int modifiesSeen() {
        return modifiesSeen.get();
    }

    @Override
    public void close() {
        release();
        listener.shutDown(true);
    }

    private final class Handler extends LDAPListenerRequestHandler {
        private final LDAPListenerRequestHandler proxy;

        Handler(LDAPListenerRequestHandler proxy) {
            this.proxy = proxy;
        }

        @Override
        public LDAPListenerRequestHandler newInstance(LDAPListenerClientConnection connection) throws LDAPException {
            return new Handler(proxy.newInstance(connection));
        }

        @Override
        public void closeInstance() {
            proxy.closeInstance();
        }

        @Override
        public LDAPMessage processModifyRequest(int messageId, ModifyRequestProtocolOp request, List<Control> controls) {
            modifiesSeen.incrementAndGet();
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return proxy.processModifyRequest(messageId, request, controls);
        }

        @Override
        public LDAPMessage processAddRequest(int messageId, AddRequestProtocolOp request, List<Control> controls) {
            return proxy.processAddRequest(messageId, request, controls);
        }

        @Override
        public LDAPMessage processBindRequest(int messageId, BindRequestProtocolOp request, List<Control> controls) {
            return proxy.processBindRequest(messageId, request, controls);
        }

        @Override
        public LDAPMessage processCompareRequest(int messageId, CompareRequestProtocolOp request, List<Control> controls) {
            return proxy.processCompareRequest(messageId, request, controls);
        }

        @Override
        public LDAPMessage processDeleteRequest(int messageId, DeleteRequestProtocolOp request, List<Control> controls) {
            return proxy.processDeleteRequest(messageId, request, controls);
        }

        @Override
        public LDAPMessage processExtendedRequest(int messageId, ExtendedRequestProtocolOp request, List<Control> controls) {
            return proxy.processExtendedRequest(messageId, request, controls);
        }

        @Override
        public LDAPMessage processModifyDNRequest(int messageId, ModifyDNRequestProtocolOp request, List<Control> controls) {
            return proxy.processModifyDNRequest(messageId, request, controls);
        }

        @Override
        public LDAPMessage processSearchRequest(int messageId, SearchRequestProtocolOp request, List<Control> controls) {
            return proxy.processSearchRequest(messageId, request, controls);
        }
    }
}
