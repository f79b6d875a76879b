package dev.ferry.cluster;

import dev.ferry.jmx.Events;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.ObjectName;

/**
 * The notifications of {@code dev.ferry:type=Cluster}: {@value #MEMBER_LOST} and {@value #TAKEOVER}, each with user data
 * {@code {member, resource, message}} (strings; {@code resource} empty for a member lost).
 */
public final class ClusterNotifications extends Events {
    public static final String MEMBER_LOST = "ferry.cluster.member.lost";
    public static final String TAKEOVER = "ferry.cluster.takeover";

    public ClusterNotifications(ObjectName source, Clock clock) {
        super(source, clock, "ferry.cluster.event", fields(),
                info(MEMBER_LOST, "a member stopped renewing its membership for cluster.leaseSeconds: its leases pass "
                        + "to other members as they expire"),
                info(TAKEOVER, "this member took a lease over from a member that no longer renewed it"));
    }

    private static Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("member", "the member lost, or the one whose lease was taken over");
        fields.put("resource", "the lease taken over; empty for a member lost");
        fields.put("message", "what happened, in words");
        return fields;
    }

    void memberLost(String member, String lastRenewal) {
        String message = "no renewal since " + lastRenewal;
        send(MEMBER_LOST, member + ": lost: " + message, Map.of("member", member, "resource", "", "message", message));
    }

    void takeover(String resource, String from, String by) {
        String message = "taken over by " + by + " from " + from + ", whose lease expired";
        send(TAKEOVER, resource + ": " + message, Map.of("member", from, "resource", resource, "message", message));
    }
}
