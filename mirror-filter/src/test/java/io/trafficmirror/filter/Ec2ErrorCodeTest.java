package io.trafficmirror.filter;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class Ec2ErrorCodeTest
{
    @Test
    void shouldSpellEveryCodeAsEc2Does()
    {
        assertThat(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_TARGET_NOT_FOUND.awsName())
            .isEqualTo("InvalidTrafficMirrorTargetNoFound");
        assertThat(Ec2ErrorCode.TRAFFIC_MIRROR_TARGET_IN_USE.awsName()).isEqualTo("TrafficMirrorTargetInUseException");
        assertThat(Ec2ErrorCode.INVALID_NETWORK_INTERFACE_ID_NOT_FOUND.awsName())
            .isEqualTo("InvalidNetworkInterfaceID.NotFound");
        assertThat(AwsNamed.fromAwsName(Ec2ErrorCode.class, "TrafficMirrorFilterRuleAlreadyExists"))
            .contains(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_RULE_ALREADY_EXISTS);
    }

    @Test
    void shouldPutTheCodeFirstInTheMessageAndNothingWhenThereIsNone()
    {
        final Violation coded = Violation.of(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_RULE_ALREADY_EXISTS,
            "tmf-1", "TrafficMirrorFilters[0].IngressFilterRules[1].RuleNumber", 100, "a free rule number");
        final Violation plain = Violation.of("engine", "senderThreads", 0, "1..64");

        assertThat(coded.message()).isEqualTo("[TrafficMirrorFilterRuleAlreadyExists] tmf-1: " +
            "TrafficMirrorFilters[0].IngressFilterRules[1].RuleNumber = 100; allowed: a free rule number");
        assertThat(plain.message()).isEqualTo("engine: senderThreads = 0; allowed: 1..64");
        assertThat(plain.errorCode()).isEmpty();
        assertThat(coded.at("x").errorCode()).contains(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_RULE_ALREADY_EXISTS);
        assertThat(coded).isNotEqualTo(Violation.of("tmf-1",
            "TrafficMirrorFilters[0].IngressFilterRules[1].RuleNumber", 100, "a free rule number"));
    }

    @Test
    void shouldListEachCodeOnceInTheOrderFound()
    {
        final InvalidConfigurationException thrown = new InvalidConfigurationException(List.of(
            Violation.of(Ec2ErrorCode.MISSING_PARAMETER, "a", "RuleNumber", null, "1..32766"),
            Violation.of("document", "size", 3, "at most 2 bytes"),
            Violation.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE, "b", "Protocol", 300, "0..255"),
            Violation.of(Ec2ErrorCode.MISSING_PARAMETER, "c", "RuleAction", null, "accept|reject")));

        assertThat(thrown.errorCodes()).containsExactly(Ec2ErrorCode.MISSING_PARAMETER, Ec2ErrorCode.INVALID_PARAMETER_VALUE);
        assertThat(thrown.firstErrorCode()).contains(Ec2ErrorCode.MISSING_PARAMETER);
        assertThat(new InvalidConfigurationException(List.of(Violation.of("document", "size", 3, "at most 2")))
            .errorCodes()).isEqualTo(Set.of());
    }

    @Test
    void shouldGiveNoCodeToChecksOfSettingsWithoutAnEc2Counterpart()
    {
        final Violations settings = Violations.withoutErrorCodes();
        settings.checkRange("engine", "senderThreads", 0, 1, 64);
        settings.checkRequired("engine", "configuration", null, "a MirrorConfiguration");
        final Violations ec2 = new Violations();
        ec2.checkRange("tmfr-1", "RuleNumber", 0, 1, 32766);
        ec2.checkRequired("tmfr-1", "RuleAction", null, "accept|reject");
        ec2.checkQuota(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_LIMIT_EXCEEDED, "configuration", "TrafficMirrorFilters", 11, 10);
        ec2.checkQuota(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_LIMIT_EXCEEDED, "configuration", "TrafficMirrorFilters", 10, 10);

        assertThat(settings.toList()).extracting(Violation::errorCode).allSatisfy(code -> assertThat(code).isEmpty());
        assertThat(ec2.toList()).extracting(v -> v.errorCode().orElseThrow()).containsExactly(
            Ec2ErrorCode.INVALID_PARAMETER_VALUE, Ec2ErrorCode.MISSING_PARAMETER,
            Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_LIMIT_EXCEEDED);
        assertThat(ec2.hasField("RuleAction")).isTrue();
        assertThat(ec2.hasField("Protocol")).isFalse();
    }
}
