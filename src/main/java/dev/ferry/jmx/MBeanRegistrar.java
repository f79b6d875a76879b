package dev.ferry.jmx;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.NotificationEmitter;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers ferry's MXBeans on one MBeanServer and unregisters them again. A failed registration is a
 * warning, never a crash: the daemon syncs just as well without its management view.
 */
public final class MBeanRegistrar implements AutoCloseable {
    public static final String DOMAIN = "dev.ferry";
    private static final Logger log = LoggerFactory.getLogger(MBeanRegistrar.class);

    private final MBeanServer server;
    private final Set<ObjectName> registered = ConcurrentHashMap.newKeySet();

    /** @param server the MBean server, or {@code null} to register nothing (tests, command-line tools) */
    public MBeanRegistrar(MBeanServer server) {
        this.server = server;
    }

    /** {@code dev.ferry:type=TYPE} */
    public static ObjectName name(String type) {
        return objectName(DOMAIN + ":type=" + type);
    }

    /** {@code dev.ferry:type=TYPE,name=NAME}, quoting the name if it holds characters JMX reserves. */
    public static ObjectName name(String type, String name) {
        String value = name.matches("[A-Za-z0-9._-]+") ? name : ObjectName.quote(name);
        return objectName(DOMAIN + ":type=" + type + ",name=" + value);
    }

    private static ObjectName objectName(String text) {
        try {
            return new ObjectName(text);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("bad JMX name " + text, e);
        }
    }

    /** Registers {@code bean} under its {@code ...MXBean} interface, described by that interface's annotations. */
    public void register(ObjectName name, Object bean) {
        register(name, bean, null);
    }

    /**
     * Like {@link #register(ObjectName, Object)}, and the bean sends the notifications of
     * {@code emitter}; JConsole lists them under the bean's Notifications node.
     *
     * @param emitter null for a bean without notifications
     */
    public void register(ObjectName name, Object bean, NotificationEmitter emitter) {
        if (server == null) {
            return;
        }
        try {
            bean = described(bean, emitter);
            if (server.isRegistered(name)) {
                // a leftover of an earlier instance in the same JVM (tests): the newest owner wins
                server.unregisterMBean(name);
            }
            server.registerMBean(bean, name);
            registered.add(name);
        } catch (JMException | RuntimeException e) {
            log.warn("{}: JMX registration failed, continuing without it: {}", name, e.toString());
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object described(Object bean, NotificationEmitter emitter) {
        Class mxbeanInterface = Descriptions.mxbeanInterfaceOf(bean);
        return emitter == null ? new DescribedMBean(bean, mxbeanInterface)
                : new DescribedEmitterMBean(bean, mxbeanInterface, emitter);
    }

    public void unregister(ObjectName name) {
        if (server == null || !registered.remove(name)) {
            return;
        }
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException e) {
            // already gone: nothing to do
        } catch (JMException | RuntimeException e) {
            log.warn("{}: JMX unregistration failed: {}", name, e.toString());
        }
    }

    @Override
    public void close() {
        for (ObjectName name : Set.copyOf(registered)) {
            unregister(name);
        }
    }
}
