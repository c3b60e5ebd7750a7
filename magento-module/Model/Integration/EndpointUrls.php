<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Integration;

use InvalidArgumentException;
use Magento\Framework\App\State;

/**
 * Derives the integration's callback and identity link URLs from the bridge base URL.
 */
class EndpointUrls
{
    /**
     * Bridge path that receives Magento's activation POST (consumer key, secret, verifier).
     */
    public const CALLBACK_PATH = '/magento/oauth/callback';

    /**
     * Bridge path that Magento opens in the activation popup.
     */
    public const IDENTITY_PATH = '/magento/oauth/identity';

    private State $appState;

    /**
     * Keep the application state, whose deploy mode decides whether any http:// bridge is acceptable.
     *
     * @param State $appState
     */
    public function __construct(State $appState)
    {
        $this->appState = $appState;
    }

    /**
     * Return the canonical bridge base URL: no trailing slash, query, fragment or credentials; https, or
     * http for a bridge on this machine or in developer mode (see allowsHttp()).
     *
     * @param string $bridgeUrl
     * @return string
     * @throws InvalidArgumentException When the URL is not an acceptable base URL.
     */
    public function normalize(string $bridgeUrl): string
    {
        $url = trim($bridgeUrl);
        if ($url === '') {
            throw new InvalidArgumentException('The bridge URL is empty.');
        }
        if (preg_match('/[\s\x00-\x1f\x7f]/', $url) === 1) {
            throw new InvalidArgumentException('The bridge URL must not contain spaces or control characters.');
        }
        $parts = parse_url($url);
        if ($parts === false || !isset($parts['scheme'], $parts['host']) || $parts['host'] === '') {
            throw new InvalidArgumentException(
                'The bridge URL must be an absolute URL such as https://bridge.example.com.'
            );
        }
        $scheme = strtolower($parts['scheme']);
        if ($scheme === 'http' && !$this->allowsHttp($parts['host'])) {
            throw new InvalidArgumentException(sprintf(
                'The bridge URL must start with https://. Magento sends the integration\'s OAuth keys to it, '
                . 'so http:// is accepted only for a bridge on this machine (localhost, 127.0.0.0/8 or [::1]) '
                . 'or while Magento is in developer mode; this store is in %s mode.',
                $this->appState->getMode()
            ));
        }
        if ($scheme !== 'https' && $scheme !== 'http') {
            throw new InvalidArgumentException('The bridge URL must start with https://.');
        }
        if (isset($parts['user']) || isset($parts['pass']) || strpos($url, '@') !== false) {
            throw new InvalidArgumentException('The bridge URL must not contain a user name or password.');
        }
        if (strpos($url, '?') !== false) {
            throw new InvalidArgumentException('The bridge URL must not contain a query string.');
        }
        if (strpos($url, '#') !== false) {
            throw new InvalidArgumentException('The bridge URL must not contain a fragment.');
        }
        if (preg_match('/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])\z/', $parts['host']) !== 1) {
            throw new InvalidArgumentException('The bridge URL has an invalid host name.');
        }

        return $scheme . '://' . substr(rtrim($url, '/'), strlen($parts['scheme']) + 3);
    }

    /**
     * Tell whether a plain http:// bridge URL is acceptable for this host.
     *
     * Loopback traffic never leaves the machine; a developer-mode store is not a production one.
     *
     * @param string $host Host as parse_url() gives it (IPv6 in brackets).
     * @return bool
     */
    private function allowsHttp(string $host): bool
    {
        $host = strtolower($host);
        $ipv4 = filter_var($host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) !== false;
        if ($host === 'localhost' || $host === '[::1]' || ($ipv4 && strncmp($host, '127.', 4) === 0)) {
            return true;
        }
        return $this->appState->getMode() === State::MODE_DEVELOPER;
    }

    /**
     * Return the integration Endpoint (callback) URL for a bridge base URL.
     *
     * @param string $bridgeUrl
     * @return string
     * @throws InvalidArgumentException When the URL is not an acceptable base URL.
     */
    public function getEndpointUrl(string $bridgeUrl): string
    {
        return $this->normalize($bridgeUrl) . self::CALLBACK_PATH;
    }

    /**
     * Return the integration Identity Link URL for a bridge base URL.
     *
     * @param string $bridgeUrl
     * @return string
     * @throws InvalidArgumentException When the URL is not an acceptable base URL.
     */
    public function getIdentityLinkUrl(string $bridgeUrl): string
    {
        return $this->normalize($bridgeUrl) . self::IDENTITY_PATH;
    }
}
