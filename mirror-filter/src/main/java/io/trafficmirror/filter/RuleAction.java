package io.trafficmirror.filter;

/**
 * What a matching filter rule does, as in a rule's {@code RuleAction}.
 */
public enum RuleAction implements AwsNamed
{
    /** Mirror the packet. */
    ACCEPT("accept"),

    /** Do not mirror the packet. */
    REJECT("reject");

    private final String awsName;

    RuleAction(final String awsName)
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
