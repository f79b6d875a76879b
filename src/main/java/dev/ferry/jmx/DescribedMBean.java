package dev.ferry.jmx;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.StandardMBean;

/**
 * An MXBean whose descriptions and parameter names come from the {@link Description} and
 * {@link Param} annotations of its interface, so that JConsole says what an attribute means and
 * asks for {@code jobId} instead of {@code p0}.
 */
final class DescribedMBean extends StandardMBean {
    private final Descriptions words;

    <T> DescribedMBean(T implementation, Class<T> mxbeanInterface) {
        super(implementation, mxbeanInterface, true);
        this.words = new Descriptions(mxbeanInterface);
    }

    @Override
    protected String getDescription(MBeanInfo info) {
        return words.bean().orElseGet(() -> super.getDescription(info));
    }

    @Override
    protected String getDescription(MBeanAttributeInfo info) {
        return words.attribute(info).orElseGet(() -> super.getDescription(info));
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        return words.operation(info).orElseGet(() -> super.getDescription(info));
    }

    @Override
    protected String getDescription(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        return words.parameter(op, sequence).map(Param::description)
                .orElseGet(() -> super.getDescription(op, param, sequence));
    }

    @Override
    protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        return words.parameter(op, sequence).map(Param::name)
                .orElseGet(() -> super.getParameterName(op, param, sequence));
    }
}
