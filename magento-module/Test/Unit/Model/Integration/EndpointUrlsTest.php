<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model\Integration;

use Gladly\Connector\Model\Integration\EndpointUrls;
use InvalidArgumentException;
use Magento\Framework\App\State;
use PHPUnit\Framework\TestCase;
use Gladly\Connector\Test\Unit\MagentoMocks;

/**
 * Tests the derivation of the integration URLs from the bridge URL.
 */
class EndpointUrlsTest extends TestCase
{
    use MagentoMocks;

    private EndpointUrls $urls;

    /**
     * Create the object under test.
     *
     * @return void
     */
    protected function setUp(): void
    {
        $this->urls = new EndpointUrls($this->appState(State::MODE_PRODUCTION));
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
            'http on localhost' => ['HTTP://localhost:8080/', 'http://localhost:8080'],
            'http on 127.0.0.1' => ['http://127.0.0.1:8000', 'http://127.0.0.1:8000'],
            'http on 127.8.9.10' => ['http://127.8.9.10/gladly/', 'http://127.8.9.10/gladly'],
            'http on ipv6 loopback' => ['http://[::1]:8000', 'http://[::1]:8000'],
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
            'plain http' => ['http://bridge.example.com', 'accepted only for a bridge on this machine'],
            'http, mode named' => ['http://bridge.example.com', 'this store is in production mode'],
            'http on a host that looks local' => ['http://127.0.0.1.example.com', 'https://'],
            'http on a private address' => ['http://10.0.0.5', 'https://'],
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

    /**
     * In developer mode any http:// bridge URL is accepted, kept as http.
     *
     * @return void
     */
    public function testDeveloperModeAcceptsAnyHttpUrl(): void
    {
        $urls = new EndpointUrls($this->appState(State::MODE_DEVELOPER));

        self::assertSame('http://bridge.example.com', $urls->normalize('http://bridge.example.com/'));
        self::assertSame(
            'http://bridge.example.com/magento/oauth/callback',
            $urls->getEndpointUrl('http://bridge.example.com')
        );
    }
}
