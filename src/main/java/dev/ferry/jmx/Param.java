package dev.ferry.jmx;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The name and meaning of an MXBean operation's parameter; without it JMX calls it {@code p0},
 * because class files keep no parameter names by default.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Param {
    /** The name JConsole shows, e.g. {@code jobId}. */
    String name();

    String description();
}
