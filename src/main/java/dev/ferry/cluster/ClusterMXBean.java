package dev.ferry.cluster;

import dev.ferry.jmx.Description;

/** {@code dev.ferry:type=Cluster} (docs/cluster.md): this member and what it sees of its cluster. */
@Description("This daemon's cluster: its members and leases. Notifications: ferry.cluster.member.lost, "
        + "ferry.cluster.takeover")
public interface ClusterMXBean {
    @Description("the cluster's name (cluster.name)")
    String getName();

    @Description("this daemon's name in the cluster (cluster.member)")
    String getMember();

    @Description("how long a membership or a lease lasts without renewal (cluster.leaseSeconds)")
    long getLeaseSeconds();

    @Description("every member the coordination store knows: name, state (up, lost, left) and last renewal")
    String[] getMembers();

    @Description("every lease of the cluster: the work, its owner (or free), epoch and expiry")
    String[] getLeases();

    @Description("the leases this member holds now")
    String[] getHeldLeases();
}
