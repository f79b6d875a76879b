package dev.ferry.jmx;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.NotificationEmitter;
import javax.management.StandardEmitterMBean;

/**
 * A {@link DescribedMBean} that also sends notifications: the emitter's {@code MBeanNotificationInfo}
 * is part of the bean's MBeanInfo, so JConsole lists a Notifications node for it.
 */
final class DescribedEmitterMBean extends StandardEmitterMBean {
    private final Descriptions words;

    <T> DescribedEmitterMBean(T implementation, Class<T> mxbeanInterface, NotificationEmitter emitter) {
        super(implementation, mxbeanInterface, true, emitter);
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
