package io.trafficmirror.filter;

/**
 * The direction of traffic relative to the mirror source interface, as in a rule's {@code TrafficDirection}.
 */
public enum TrafficDirection implements AwsNamed
{
    /** Traffic received by the source interface. */
    INGRESS("ingress"),

    /** Traffic sent by the source interface. */
    EGRESS("egress");

    private final String awsName;

    TrafficDirection(final String awsName)
    {
        this.awsName = awsName;
    }

    @Override
    public String awsName()
    {
        return awsName;
    }

    @Override
    public String toString()
    {
        return awsName;
    }
}
