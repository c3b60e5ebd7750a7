<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Plugin\Integration;

use Gladly\Connector\Model\Config;
use Gladly\Connector\Model\Integration\EndpointUrls;
use Gladly\Connector\Plugin\Integration\ConsolidatedConfigPlugin;
use Magento\Framework\App\State;
use Magento\Integration\Model\ConsolidatedConfig;
use PHPUnit\Framework\TestCase;
use Gladly\Connector\Test\Unit\MagentoMocks;

/**
 * Tests that the file-declared integration follows the saved bridge URL.
 */
class ConsolidatedConfigPluginTest extends TestCase
{
    use MagentoMocks;

    private const PLACEHOLDERS = [
        'email' => 'support@bridge.example.com',
        'endpoint_url' => 'https://bridge.example.com/magento/oauth/callback',
        'identity_link_url' => 'https://bridge.example.com/magento/oauth/identity',
        'resource' => ['Magento_Sales::actions_view'],
    ];

    /**
     * Saved bridge URLs, merged integrations, and the expected merged integrations.
     *
     * @return array<string, array{string, array<string, mixed>, array<string, mixed>}>
     */
    public function cases(): array
    {
        $other = ['Other' => ['email' => 'x@example.com', 'endpoint_url' => 'https://other.test/cb']];
        $updated = ['Gladly' => [
            'endpoint_url' => 'https://bridge.shop.test/magento/oauth/callback',
            'identity_link_url' => 'https://bridge.shop.test/magento/oauth/identity',
        ] + self::PLACEHOLDERS];

        return [
            'bridge URL saved' => ['https://bridge.shop.test', ['Gladly' => self::PLACEHOLDERS], $updated],
            'other integrations untouched' => [
                'https://bridge.shop.test',
                ['Gladly' => self::PLACEHOLDERS] + $other,
                $updated + $other,
            ],
            'no bridge URL yet' => ['', ['Gladly' => self::PLACEHOLDERS], ['Gladly' => self::PLACEHOLDERS]],
            'invalid bridge URL kept out' => [
                'http://bridge.shop.test',
                ['Gladly' => self::PLACEHOLDERS],
                ['Gladly' => self::PLACEHOLDERS],
            ],
            'module integration absent' => ['https://bridge.shop.test', $other, $other],
        ];
    }

    /**
     * Only the Gladly entry's two URLs change, and only for a valid saved bridge URL.
     *
     * @dataProvider cases
     * @param string $bridgeUrl
     * @param array<string, mixed> $integrations
     * @param array<string, mixed> $expected
     * @return void
     */
    public function testAfterGetIntegrations(string $bridgeUrl, array $integrations, array $expected): void
    {
        $config = $this->createMock(Config::class);
        $config->method('getBridgeUrl')->willReturn($bridgeUrl);
        $plugin = new ConsolidatedConfigPlugin($config, new EndpointUrls($this->appState(State::MODE_PRODUCTION)));

        $result = $plugin->afterGetIntegrations($this->createMock(ConsolidatedConfig::class), $integrations);

        self::assertEquals($expected, $result);
    }
}
