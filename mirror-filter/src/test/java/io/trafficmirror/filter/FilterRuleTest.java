package io.trafficmirror.filter;

import nl.jqno.equalsverifier.EqualsVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class FilterRuleTest
{
    static FilterRule.Builder validRule()
    {
        return FilterRule.builder()
            .id("tmfr-1")
            .direction(TrafficDirection.INGRESS)
            .ruleNumber(100)
            .action(RuleAction.ACCEPT)
            .sourceCidrBlock("0.0.0.0/0")
            .destinationCidrBlock("10.0.0.0/8");
    }

    static List<Violation> violationsOf(final Runnable build)
    {
        return catchThrowableOfType(InvalidConfigurationException.class, build::run).violations();
    }

    @ParameterizedTest
    @CsvSource({"0,false", "1,true", "32766,true", "32767,false", "-1,false"})
    void shouldBoundRuleNumbers(final int ruleNumber, final boolean valid)
    {
        final FilterRule.Builder builder = validRule().ruleNumber(ruleNumber);
        if (valid)
        {
            assertThat(builder.build().ruleNumber()).isEqualTo(ruleNumber);
        }
        else
        {
            assertThat(violationsOf(builder::build))
                .containsExactly(Violation.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE, "tmfr-1", "RuleNumber", ruleNumber,
                    "1..32766"));
        }
    }

    @ParameterizedTest
    @CsvSource({"-1,false", "0,true", "255,true", "256,false"})
    void shouldBoundProtocols(final int protocol, final boolean valid)
    {
        final FilterRule.Builder builder = validRule().protocol(protocol);
        if (valid)
        {
            assertThat(builder.build().protocol()).hasValue(protocol);
        }
        else
        {
            assertThat(violationsOf(builder::build))
                .containsExactly(Violation.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE, "tmfr-1", "Protocol", protocol, "0..255"));
        }
    }

    @ParameterizedTest
    @CsvSource({
        "0,0,true", "0,65535,true", "65535,65535,true", "22,22,true",
        "-1,10,false", "0,65536,false", "23,22,false", "65536,65536,false"})
    void shouldBoundPortRanges(final int from, final int to, final boolean valid)
    {
        final FilterRule.Builder builder = validRule().protocol(6).sourcePortRange(from, to).destinationPortRange(from, to);
        if (valid)
        {
            final FilterRule rule = builder.build();
            assertThat(rule.sourcePortRange()).contains(PortRange.of(from, to));
            assertThat(rule.destinationPortRange()).contains(PortRange.of(from, to));
        }
        else
        {
            assertThat(violationsOf(builder::build))
                .extracting(Violation::field)
                .anyMatch(f -> f.startsWith("SourcePortRange."))
                .anyMatch(f -> f.startsWith("DestinationPortRange."));
        }
    }

    @Test
    void shouldAllowPortRangesOnlyForTcpAndUdp()
    {
        assertThat(validRule().protocol(6).destinationPortRange(22, 22).build().protocol()).hasValue(6);
        assertThat(validRule().protocol(17).sourcePortRange(53, 53).build().protocol()).hasValue(17);

        assertThat(violationsOf(() -> validRule().protocol(1).destinationPortRange(22, 22).build()))
            .containsExactly(Violation.of(Ec2ErrorCode.INVALID_PARAMETER_COMBINATION, "tmfr-1", "DestinationPortRange",
                "22-22 with Protocol 1",
                "port ranges only with Protocol 6 (TCP) or 17 (UDP)"));
        assertThat(violationsOf(() -> validRule().sourcePortRange(22, 22).build()))
            .extracting(Violation::field).containsExactly("SourcePortRange");
    }

    @Test
    void shouldRequireBothBlocksOfOneFamily()
    {
        assertThat(violationsOf(() -> validRule().destinationCidrBlock("::/0").build()))
            .containsExactly(Violation.of(Ec2ErrorCode.INVALID_PARAMETER_COMBINATION, "tmfr-1", "DestinationCidrBlock", "::/0",
                "an IPv4 block, the family of SourceCidrBlock 0.0.0.0/0"));
        assertThat(validRule().sourceCidrBlock("::/0").destinationCidrBlock("2001:db8::/32").build().isIpv4()).isFalse();
    }

    @Test
    void shouldReportEveryMissingFieldAtOnce()
    {
        final List<Violation> violations = violationsOf(() -> FilterRule.builder().build());

        assertThat(violations).extracting(Violation::field)
            .containsExactly("TrafficDirection", "RuleNumber", "RuleAction", "SourceCidrBlock", "DestinationCidrBlock");
        assertThat(violations).allSatisfy(v -> assertThat(v.value()).isEqualTo("(missing)"));
        assertThat(violations).allSatisfy(v -> assertThat(v.errorCode()).contains(Ec2ErrorCode.MISSING_PARAMETER));
    }

    @Test
    void shouldBoundDescriptionsAndIds()
    {
        assertThat(validRule().description("d".repeat(255)).build().description()).hasValueSatisfying(d ->
            assertThat(d).hasSize(255));
        assertThat(violationsOf(() -> validRule().description("d".repeat(256)).build()))
            .extracting(Violation::field).containsExactly("Description");
        assertThat(violationsOf(() -> validRule().description("tab\there").build()))
            .extracting(Violation::field).containsExactly("Description");
        assertThat(violationsOf(() -> validRule().id("has space").build()))
            .extracting(Violation::field).containsExactly("TrafficMirrorFilterRuleId");
        assertThat(violationsOf(() -> validRule().id("").build()))
            .extracting(Violation::field).containsExactly("TrafficMirrorFilterRuleId");
        assertThat(validRule().id("x".repeat(255)).build().id()).isPresent();
        assertThat(violationsOf(() -> validRule().id("x".repeat(256)).build()))
            .extracting(Violation::errorCode).containsExactly(Optional.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE));
    }

    @Test
    void shouldNameRulesWithoutIdByDirectionAndNumber()
    {
        final List<Violation> violations = violationsOf(() -> validRule().id(null).protocol(300).build());

        assertThat(violations).singleElement().extracting(Violation::objectId).isEqualTo("rule ingress/100");
    }

    @Test
    void shouldResetRemovableFieldsToDefaults()
    {
        final FilterRule full = validRule().protocol(6).sourcePortRange(1, 2).destinationPortRange(3, 4)
            .description("d").build();

        final FilterRule reset = full.toBuilder()
            .remove(FilterRule.Field.SOURCE_PORT_RANGE)
            .remove(FilterRule.Field.DESTINATION_PORT_RANGE)
            .remove(FilterRule.Field.PROTOCOL)
            .remove(FilterRule.Field.DESCRIPTION)
            .build();

        assertThat(reset.protocol()).isEmpty();
        assertThat(reset.sourcePortRange()).isEmpty();
        assertThat(reset.destinationPortRange()).isEmpty();
        assertThat(reset.description()).isEmpty();
        assertThat(reset.toBuilder().build()).isEqualTo(reset);
        assertThat(full.toBuilder().build()).isEqualTo(full);
    }

    @Test
    void shouldRefuseToRemoveProtocolWhilePortRangesNeedIt()
    {
        final FilterRule tcp = validRule().protocol(6).destinationPortRange(22, 22).build();

        assertThatThrownBy(() -> tcp.toBuilder().remove(FilterRule.Field.PROTOCOL).build())
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessageContaining("port ranges only with Protocol 6 (TCP) or 17 (UDP)");
    }

    @Test
    void shouldUseEc2SpellingsForRemovableFields()
    {
        assertThat(AwsNamed.fromAwsName(FilterRule.Field.class, "destination-port-range"))
            .contains(FilterRule.Field.DESTINATION_PORT_RANGE);
        assertThat(AwsNamed.allowedNames(FilterRule.Field.class))
            .isEqualTo("destination-port-range | source-port-range | protocol | description");
        assertThat(AwsNamed.fromAwsName(RuleAction.class, "ACCEPT")).as("spellings are exact").isEmpty();
    }

    @Test
    void shouldHonourEqualsAndHashCodeContract()
    {
        EqualsVerifier.forClass(FilterRule.class).verify();
    }
}
