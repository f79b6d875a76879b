package dev.ferry.jmx;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What JConsole shows a person for an MXBean interface (the bean), a getter (the attribute) or an
 * operation. Read by {@link DescribedMBean}; kept on the interface so that the words change with the
 * method they describe.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Description {
    String value();
}
