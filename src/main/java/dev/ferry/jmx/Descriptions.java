package dev.ferry.jmx;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanOperationInfo;

/**
 * Finds the {@link Description} and {@link Param} of an MXBean interface's members by their JMX
 * names: attribute {@code X} is the getter {@code getX}/{@code isX}; an operation is matched by name
 * and number of parameters (ferry's beans overload none). Missing words fall back to what JMX would
 * have said, which the bean-walking test reports.
 */
final class Descriptions {
    private final Class<?> mxbeanInterface;

    Descriptions(Class<?> mxbeanInterface) {
        this.mxbeanInterface = mxbeanInterface;
    }

    Optional<String> bean() {
        return Optional.ofNullable(mxbeanInterface.getAnnotation(Description.class)).map(Description::value);
    }

    Optional<String> attribute(MBeanAttributeInfo info) {
        return getter(info.getName()).map(m -> m.getAnnotation(Description.class)).map(Description::value);
    }

    Optional<String> operation(MBeanOperationInfo info) {
        return operationMethod(info).map(m -> m.getAnnotation(Description.class)).map(Description::value);
    }

    Optional<Param> parameter(MBeanOperationInfo info, int sequence) {
        return operationMethod(info).map(m -> m.getParameters())
                .filter(p -> sequence < p.length)
                .map(p -> p[sequence].getAnnotation(Param.class));
    }

    private Optional<Method> getter(String attribute) {
        return Arrays.stream(mxbeanInterface.getMethods())
                .filter(m -> m.getParameterCount() == 0)
                .filter(m -> m.getName().equals("get" + attribute) || m.getName().equals("is" + attribute))
                .findFirst();
    }

    private Optional<Method> operationMethod(MBeanOperationInfo info) {
        return Arrays.stream(mxbeanInterface.getMethods())
                .filter(m -> m.getName().equals(info.getName()))
                .filter(m -> m.getParameterCount() == info.getSignature().length)
                .findFirst();
    }

    /** The MXBean interface {@code bean} implements: the one named {@code ...MXBean}. */
    static Class<?> mxbeanInterfaceOf(Object bean) {
        for (Class<?> c = bean.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getSimpleName().endsWith("MXBean")) {
                    return i;
                }
            }
        }
        throw new IllegalArgumentException(bean.getClass() + " implements no ...MXBean interface");
    }
}
