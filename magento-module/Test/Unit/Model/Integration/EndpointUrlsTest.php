<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model\Integration;

use Gladly\Connector\Model\Integration\EndpointUrls;
use InvalidArgumentException;
use PHPUnit\Framework\TestCase;

/**
 * Tests the derivation of the integration URLs from the bridge URL.
 */
class EndpointUrlsTest extends TestCase
{
    private EndpointUrls $urls;

    /**
     * Create the object under test.
     *
     * @return void
     */
    protected function setUp(): void
    {
        $this->urls = new EndpointUrls();
    }

    /**
     * Accepted bridge URLs and the base URL each normalizes to.
     *
     * @return array<string, array{string, string}>
     */
    public function validUrls(): array
    {
        return [
            'plain host' => ['https://bridge.example.com', 'https://bridge.example.com'],
            'trailing slash' => ['https://bridge.example.com/', 'https://bridge.example.com'],
            'several trailing slashes' => ['https://bridge.example.com///', 'https://bridge.example.com'],
            'surrounding blanks' => ["  https://bridge.example.com/ \n", 'https://bridge.example.com'],
            'upper-case scheme' => ['HTTPS://bridge.example.com', 'https://bridge.example.com'],
            'port' => ['https://bridge.example.com:8443', 'https://bridge.example.com:8443'],
            'path prefix' => ['https://example.com/gladly/', 'https://example.com/gladly'],
            'ipv6 host' => ['https://[2001:db8::1]/', 'https://[2001:db8::1]'],
        ];
    }

    /**
     * Valid URLs yield the callback and identity URLs under the normalized base.
     *
     * @dataProvider validUrls
     * @param string $input
     * @param string $base
     * @return void
     */
    public function testDerivesBothUrlsFromTheNormalizedBase(string $input, string $base): void
    {
        self::assertSame($base, $this->urls->normalize($input));
        self::assertSame($base . '/magento/oauth/callback', $this->urls->getEndpointUrl($input));
        self::assertSame($base . '/magento/oauth/identity', $this->urls->getIdentityLinkUrl($input));
    }

    /**
     * Rejected bridge URLs and a fragment of the expected reason.
     *
     * @return array<string, array{string, string}>
     */
    public function invalidUrls(): array
    {
        return [
            'empty' => ['', 'empty'],
            'blank' => ['   ', 'empty'],
            'plain http' => ['http://bridge.example.com', 'https://'],
            'other scheme' => ['ftp://bridge.example.com', 'https://'],
            'no scheme' => ['bridge.example.com', 'absolute URL'],
            'no host' => ['https:///magento', 'absolute URL'],
            'user info' => ['https://admin@bridge.example.com', 'user name or password'],
            'user and password' => ['https://admin:secret@bridge.example.com', 'user name or password'],
            'query' => ['https://bridge.example.com/?store=1', 'query string'],
            'empty query' => ['https://bridge.example.com/?', 'query string'],
            'fragment' => ['https://bridge.example.com/#top', 'fragment'],
            'inner space' => ['https://bridge.example .com', 'spaces'],
            'underscore host' => ['https://bridge_1.example.com', 'host name'],
        ];
    }

    /**
     * Invalid URLs are rejected with a precise reason, for each derived URL too.
     *
     * @dataProvider invalidUrls
     * @param string $input
     * @param string $reason
     * @return void
     */
    public function testRejectsUnacceptableUrls(string $input, string $reason): void
    {
        foreach (['normalize', 'getEndpointUrl', 'getIdentityLinkUrl'] as $method) {
            try {
                $this->urls->{$method}($input);
                self::fail($method . ' accepted ' . var_export($input, true));
            } catch (InvalidArgumentException $e) {
                self::assertStringContainsString($reason, $e->getMessage());
            }
        }
    }
}
