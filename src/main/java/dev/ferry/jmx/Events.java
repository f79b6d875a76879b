package dev.ferry.jmx;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifications of one bean. Each carries a one-line message and, as user data, a
 * {@code CompositeData} of strings, so that a client without ferry's classes reads every field.
 * Listeners run on the thread that publishes the event; JMX connectors only queue the notification.
 */
public class Events extends NotificationBroadcasterSupport {
    private static final Logger log = LoggerFactory.getLogger(Events.class);

    private final ObjectName source;
    private final Clock clock;
    private final CompositeType dataType;
    private final AtomicLong sequence = new AtomicLong();

    /**
     * @param fields names and meanings of the user data's items, all strings
     * @param types  what JConsole lists under the bean's Notifications node
     */
    protected Events(ObjectName source, Clock clock, String dataTypeName, Map<String, String> fields,
                     MBeanNotificationInfo... types) {
        super(types);
        this.source = source;
        this.clock = clock;
        try {
            String[] names = fields.keySet().toArray(String[]::new);
            String[] descriptions = fields.values().toArray(String[]::new);
            OpenType<?>[] openTypes = new OpenType<?>[names.length];
            java.util.Arrays.fill(openTypes, SimpleType.STRING);
            this.dataType = new CompositeType(dataTypeName, dataTypeName, names, descriptions, openTypes);
        } catch (OpenDataException e) {
            throw new IllegalArgumentException("bad notification data type " + dataTypeName, e);
        }
    }

    protected static MBeanNotificationInfo info(String type, String description) {
        return new MBeanNotificationInfo(new String[] {type}, Notification.class.getName(), description);
    }

    /** @param data one value per field given to the constructor, in its order; null becomes "" */
    protected void send(String type, String message, Map<String, ?> data) {
        try {
            Map<String, Object> items = new java.util.LinkedHashMap<>();
            for (String key : dataType.keySet()) {
                Object value = data.get(key);
                items.put(key, value == null ? "" : value.toString());
            }
            Notification n = new Notification(type, source, sequence.incrementAndGet(), clock.millis(), message);
            n.setUserData(new CompositeDataSupport(dataType, items));
            sendNotification(n);
        } catch (OpenDataException | RuntimeException e) {
            // a notification is a courtesy to watchers: it must never break the work that raised it
            log.warn("{} ({} of {} not sent: {})", message, type, source, e.toString());
        }
    }
}
