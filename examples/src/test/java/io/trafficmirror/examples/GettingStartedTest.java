package io.trafficmirror.examples;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.json.AwsJsonConfiguration;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.TrafficDirection;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class GettingStartedTest
{
    @Test
    void shouldBuildTheSameRulesAsTheScenarioDocument() throws Exception
    {
        final MirrorConfiguration built = GettingStarted.configuration();
        final MirrorConfiguration loaded = AwsJsonConfiguration.defaults().read(Path.of("getting-started.json"));

        final MirrorFilter builtFilter = built.filters().get(0);
        final MirrorFilter loadedFilter = loaded.filters().get(0);
        for (final TrafficDirection direction : TrafficDirection.values())
        {
            assertThat(withoutIdsAndDescriptions(builtFilter.rules(direction)))
                .isEqualTo(withoutIdsAndDescriptions(loadedFilter.rules(direction)));
        }
        assertThat(built.sessions()).singleElement().satisfies(session ->
        {
            assertThat(session.sessionNumber()).isEqualTo(1);
            assertThat(session.virtualNetworkId()).isEqualTo(loaded.sessions().get(0).virtualNetworkId());
            assertThat(session.packetLength()).isEqualTo(loaded.sessions().get(0).packetLength());
        });
        assertThat(built.sources().get(0).privateIpAddress()).isEqualTo(loaded.sources().get(0).privateIpAddress());
    }

    private static List<FilterRule> withoutIdsAndDescriptions(final List<FilterRule> rules)
    {
        return rules.stream().map(r -> r.toBuilder().id(null).description(null).build()).collect(Collectors.toList());
    }
}
