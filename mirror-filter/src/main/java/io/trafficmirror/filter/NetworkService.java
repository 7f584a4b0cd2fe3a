package io.trafficmirror.filter;

/**
 * A filter's {@code NetworkServices} entry: traffic that AWS mirrors only when the filter names the service.
 */
public enum NetworkService implements AwsNamed
{
    /** DNS traffic to the VPC's Amazon DNS resolver, otherwise never mirrored. */
    AMAZON_DNS("amazon-dns");

    private final String awsName;

    NetworkService(final String awsName)
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
