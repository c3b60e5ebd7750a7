<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Integration;

use InvalidArgumentException;

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

    /**
     * Return the canonical bridge base URL: https only, no trailing slash, query, fragment or credentials.
     *
     * @param string $bridgeUrl
     * @return string
     * @throws InvalidArgumentException When the URL is not an acceptable https base URL.
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
        if (strtolower($parts['scheme']) !== 'https') {
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

        return 'https://' . substr(rtrim($url, '/'), strlen($parts['scheme']) + 3);
    }

    /**
     * Return the integration Endpoint (callback) URL for a bridge base URL.
     *
     * @param string $bridgeUrl
     * @return string
     * @throws InvalidArgumentException When the URL is not an acceptable https base URL.
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
     * @throws InvalidArgumentException When the URL is not an acceptable https base URL.
     */
    public function getIdentityLinkUrl(string $bridgeUrl): string
    {
        return $this->normalize($bridgeUrl) . self::IDENTITY_PATH;
    }
}
