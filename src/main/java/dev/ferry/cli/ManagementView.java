package dev.ferry.cli;

import dev.ferry.jmx.MBeanRegistrar;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;

/**
 * Reads ferry's MXBeans as a generic JMX client would: by name and attribute, with no ferry class
 * involved, so {@code ferry ctl} sees exactly what JConsole sees.
 */
final class ManagementView {
    private final MBeanServerConnection connection;

    ManagementView(MBeanServerConnection connection) {
        this.connection = connection;
    }

    /** Every attribute of the bean, in the bean's own order, arrays as lists. */
    Map<String, Object> attributes(ObjectName name) throws IOException, JMException {
        MBeanAttributeInfo[] infos = connection.getMBeanInfo(name).getAttributes();
        String[] names = Arrays.stream(infos).map(MBeanAttributeInfo::getName).toArray(String[]::new);
        Map<String, Object> values = new LinkedHashMap<>();
        for (Attribute a : connection.getAttributes(name, names).asList()) {
            Object v = a.getValue();
            values.put(a.getName(), v instanceof Object[] array ? List.of(array) : v);
        }
        return values;
    }

    /** Beans of {@code dev.ferry:type=TYPE,name=*}, sorted by name. */
    List<ObjectName> beans(String type) throws IOException, JMException {
        ObjectName pattern = new ObjectName(MBeanRegistrar.DOMAIN + ":type=" + type + ",*");
        return new ArrayList<>(new TreeSet<>(connection.queryNames(pattern, null)));
    }

    Object invoke(ObjectName name, String operation, Object... params) throws IOException, JMException {
        String[] signature = Arrays.stream(params).map(p -> p.getClass().getName()).toArray(String[]::new);
        return connection.invoke(name, operation, params, signature);
    }

    boolean exists(ObjectName name) throws IOException {
        return connection.isRegistered(name);
    }
}
