package io.trafficmirror.core.config;

import io.trafficmirror.filter.AwsNamed;

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

    @Override
    public String toString()
    {
        return awsName;
    }
}
