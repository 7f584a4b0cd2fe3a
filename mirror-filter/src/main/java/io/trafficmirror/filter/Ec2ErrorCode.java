package io.trafficmirror.filter;

/**
 * The EC2 error code that AWS returns for a kind of configuration problem, spelled exactly as EC2 spells it
 * ({@code InvalidTrafficMirrorTargetNoFound} included), so that a {@link Violation} can be told apart by code
 * the same way an EC2 API error is. Problems with no EC2 counterpart carry no code.
 */
public enum Ec2ErrorCode implements AwsNamed
{
    /** A value is out of range or malformed. */
    INVALID_PARAMETER_VALUE("InvalidParameterValue"),

    /** A required field is absent. */
    MISSING_PARAMETER("MissingParameter"),

    /** Fields are given together that cannot go together. */
    INVALID_PARAMETER_COMBINATION("InvalidParameterCombination"),

    /** A network interface named by a session does not exist. */
    INVALID_NETWORK_INTERFACE_ID_NOT_FOUND("InvalidNetworkInterfaceID.NotFound"),

    /** A filter named by a session, a rule or an operation does not exist. */
    INVALID_TRAFFIC_MIRROR_FILTER_NOT_FOUND("InvalidTrafficMirrorFilterNotFound"),

    /** A filter rule named by an operation does not exist. */
    INVALID_TRAFFIC_MIRROR_FILTER_RULE_NOT_FOUND("InvalidTrafficMirrorFilterRuleNotFound"),

    /** A session named by an operation does not exist. */
    INVALID_TRAFFIC_MIRROR_SESSION_NOT_FOUND("InvalidTrafficMirrorSessionNotFound"),

    /** A target named by a session or an operation does not exist; EC2 spells this code without the "t". */
    INVALID_TRAFFIC_MIRROR_TARGET_NOT_FOUND("InvalidTrafficMirrorTargetNoFound"),

    /** A filter that a session uses cannot be deleted. */
    TRAFFIC_MIRROR_FILTER_IN_USE("TrafficMirrorFilterInUse"),

    /** A target that a session uses cannot be deleted. */
    TRAFFIC_MIRROR_TARGET_IN_USE("TrafficMirrorTargetInUseException"),

    /** A source interface has more sessions than its quota. */
    TRAFFIC_MIRROR_SESSIONS_PER_INTERFACE_LIMIT_EXCEEDED("TrafficMirrorSessionsPerInterfaceLimitExceeded"),

    /** A target has more sessions than its quota; no such quota is modelled, so nothing raises it. */
    TRAFFIC_MIRROR_SESSIONS_PER_TARGET_LIMIT_EXCEEDED("TrafficMirrorSessionsPerTargetLimitExceeded"),

    /** A network-interface target has more source interfaces than its quota. */
    TRAFFIC_MIRROR_SOURCES_PER_TARGET_LIMIT_EXCEEDED("TrafficMirrorSourcesPerTargetLimitExceeded"),

    /** More filters than the quota. */
    TRAFFIC_MIRROR_FILTER_LIMIT_EXCEEDED("TrafficMirrorFilterLimitExceeded"),

    /** A filter has more rules than its quota. */
    TRAFFIC_MIRROR_FILTER_RULE_LIMIT_EXCEEDED("TrafficMirrorFilterRuleLimitExceeded"),

    /** More sessions than the quota. */
    TRAFFIC_MIRROR_SESSION_LIMIT_EXCEEDED("TrafficMirrorSessionLimitExceeded"),

    /** More targets than the quota. */
    TRAFFIC_MIRROR_TARGET_LIMIT_EXCEEDED("TrafficMirrorTargetLimitExceeded"),

    /** A filter already has a rule of that direction and rule number. */
    TRAFFIC_MIRROR_FILTER_RULE_ALREADY_EXISTS("TrafficMirrorFilterRuleAlreadyExists");

    private final String awsName;

    Ec2ErrorCode(final String awsName)
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
