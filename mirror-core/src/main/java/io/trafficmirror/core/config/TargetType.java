package io.trafficmirror.core.config;

import io.trafficmirror.filter.AwsNamed;

import java.util.OptionalInt;

/**
 * The kind of resource a traffic mirror target is, as in a target's {@code Type}.
 */
public enum TargetType implements AwsNamed
{
    /** A network interface; its resource is the ENI id ({@code NetworkInterfaceId}). */
    NETWORK_INTERFACE("network-interface", "NetworkInterfaceId"),

    /** A Network Load Balancer; its resource is the NLB ARN ({@code NetworkLoadBalancerArn}). */
    NETWORK_LOAD_BALANCER("network-load-balancer", "NetworkLoadBalancerArn"),

    /** A Gateway Load Balancer endpoint; its resource is the endpoint id ({@code GatewayLoadBalancerEndpointId}). */
    GATEWAY_LOAD_BALANCER_ENDPOINT("gateway-load-balancer-endpoint", "GatewayLoadBalancerEndpointId");

    private final String awsName;
    private final String resourceField;

    TargetType(final String awsName, final String resourceField)
    {
        this.awsName = awsName;
        this.resourceField = resourceField;
    }

    @Override
    public String awsName()
    {
        return awsName;
    }

    /**
     * @return the EC2 API field that names this kind's resource.
     */
    public String resourceField()
    {
        return resourceField;
    }

    /**
     * The packet length a session to this kind of target mirrors when it names none: 8500 bytes for a Network
     * Load Balancer (EC2 API, {@code ModifyTrafficMirrorSession}), whole packets otherwise.
     *
     * @return bytes after the VXLAN header, or empty for whole packets.
     */
    public OptionalInt defaultPacketLength()
    {
        return this == NETWORK_LOAD_BALANCER ? OptionalInt.of(MirrorSession.MAX_PACKET_LENGTH) : OptionalInt.empty();
    }

    /**
     * The MTU of this kind of target when none is given: a Gateway Load Balancer's 8500, an AWS interface's 9001
     * otherwise.
     *
     * @return bytes of outer IP packet.
     */
    public int defaultMtu()
    {
        return this == GATEWAY_LOAD_BALANCER_ENDPOINT ? MirrorTarget.GATEWAY_LOAD_BALANCER_MTU : MirrorTarget.DEFAULT_MTU;
    }

    /**
     * The largest MTU this kind of target accepts: a Gateway Load Balancer takes no packet above 8500 bytes.
     *
     * @return bytes of outer IP packet.
     */
    public int maxMtu()
    {
        return this == GATEWAY_LOAD_BALANCER_ENDPOINT ? MirrorTarget.GATEWAY_LOAD_BALANCER_MTU : MirrorTarget.MAX_MTU;
    }

    @Override
    public String toString()
    {
        return awsName;
    }
}
