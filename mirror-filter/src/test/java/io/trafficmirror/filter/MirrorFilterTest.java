package io.trafficmirror.filter;

import nl.jqno.equalsverifier.EqualsVerifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.trafficmirror.filter.FilterRuleTest.validRule;
import static io.trafficmirror.filter.FilterRuleTest.violationsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MirrorFilterTest
{
    @Test
    void shouldKeepRulesSortedByRuleNumberPerDirection()
    {
        final MirrorFilter filter = MirrorFilter.builder()
            .id("tmf-1")
            .addRule(validRule().id("c").ruleNumber(300).build())
            .addRule(validRule().id("a").ruleNumber(100).build())
            .addRule(validRule().id("e").ruleNumber(100).direction(TrafficDirection.EGRESS).build())
            .addRule(validRule().id("b").ruleNumber(200).build())
            .build();

        assertThat(filter.ingressRules()).extracting(FilterRule::ruleNumber).containsExactly(100, 200, 300);
        assertThat(filter.egressRules()).extracting(r -> r.id().orElseThrow()).containsExactly("e");
        assertThat(filter.rules(TrafficDirection.EGRESS)).isSameAs(filter.egressRules());
        assertThat(filter.ruleCount()).isEqualTo(4);
        assertThat(filter.rule("b")).map(FilterRule::ruleNumber).contains(200);
        assertThat(filter.rule("zzz")).isEmpty();
    }

    @Test
    void shouldRejectDuplicateRuleNumbersWithinOneDirectionOnly()
    {
        final List<Violation> violations = violationsOf(() -> MirrorFilter.builder()
            .id("tmf-1")
            .addRule(validRule().id("a").ruleNumber(100).build())
            .addRule(validRule().id("b").ruleNumber(100).build())
            .addRule(validRule().id("c").ruleNumber(100).direction(TrafficDirection.EGRESS).build())
            .build());

        assertThat(violations).containsExactly(Violation.of(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_RULE_ALREADY_EXISTS,
            "tmf-1", "IngressFilterRules[1].RuleNumber", 100,
            "a rule number not used by another ingress rule of this filter"));
    }

    @Test
    void shouldRejectRulesListedUnderTheWrongDirection()
    {
        final List<Violation> violations = violationsOf(() -> MirrorFilter.builder()
            .id("tmf-1")
            .ingressRules(List.of(validRule().direction(TrafficDirection.EGRESS).build()))
            .build());

        assertThat(violations).extracting(Violation::field).containsExactly("IngressFilterRules[0].TrafficDirection");
        assertThat(violations).extracting(Violation::errorCode).containsExactly(
            Optional.of(Ec2ErrorCode.INVALID_PARAMETER_COMBINATION));
    }

    @Test
    void shouldRequireAnId()
    {
        assertThat(violationsOf(() -> MirrorFilter.builder().build()))
            .containsExactly(Violation.of(Ec2ErrorCode.MISSING_PARAMETER, "filter", "TrafficMirrorFilterId", null,
                "1..255 printable characters without spaces"));
    }

    @Test
    void shouldBeImmutable()
    {
        final List<FilterRule> rules = new ArrayList<>(List.of(validRule().build()));
        final MirrorFilter filter = MirrorFilter.builder().id("tmf-1").ingressRules(rules)
            .addNetworkService(NetworkService.AMAZON_DNS).build();
        rules.clear();

        assertThat(filter.ingressRules()).hasSize(1);
        assertThatThrownBy(() -> filter.ingressRules().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> filter.networkServices().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(filter.hasNetworkService(NetworkService.AMAZON_DNS)).isTrue();
        assertThat(filter.toBuilder().removeNetworkService(NetworkService.AMAZON_DNS).build().networkServices()).isEmpty();
        assertThat(filter.networkServices()).containsExactly(NetworkService.AMAZON_DNS);
        assertThat(filter.toBuilder().build()).isEqualTo(filter);
    }

    @Test
    void shouldMirrorNothingInADirectionWithoutRules()
    {
        final MirrorFilter filter = MirrorFilter.builder().id("tmf-empty").build();

        assertThat(filter.ingressRules()).isEmpty();
        assertThat(filter.egressRules()).isEmpty();
    }

    @Test
    void shouldHonourEqualsAndHashCodeContract()
    {
        EqualsVerifier.forClass(MirrorFilter.class).verify();
    }
}
