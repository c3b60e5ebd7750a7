<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model;

use Magento\Backend\App\Area\FrontNameResolver;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Store\Model\ScopeInterface;

/**
 * Builds the admin base URL (base link URL of the admin store plus the admin frontName) for deep links.
 *
 * Read from configuration rather than from the backend URL model, which needs an admin session.
 */
class AdminBaseUrl
{
    /**
     * Paths and code as in Magento\Store\Model\Store; "Use Custom Admin URL" stores its URL on the admin store.
     */
    private const XML_PATH_SECURE_IN_ADMINHTML = 'web/secure/use_in_adminhtml';
    private const XML_PATH_SECURE_BASE_LINK_URL = 'web/secure/base_link_url';
    private const XML_PATH_UNSECURE_BASE_LINK_URL = 'web/unsecure/base_link_url';
    private const XML_PATH_USE_REWRITES = 'web/seo/use_rewrites';
    private const ADMIN_STORE_CODE = 'admin';

    private ScopeConfigInterface $scopeConfig;

    private FrontNameResolver $frontNameResolver;

    /**
     * Keep the configuration reader and the admin frontName resolver.
     *
     * @param ScopeConfigInterface $scopeConfig
     * @param FrontNameResolver $frontNameResolver
     */
    public function __construct(ScopeConfigInterface $scopeConfig, FrontNameResolver $frontNameResolver)
    {
        $this->scopeConfig = $scopeConfig;
        $this->frontNameResolver = $frontNameResolver;
    }

    /**
     * Return the admin base URL ending in "/", e.g. https://shop.example.com/admin_1x2y/, or '' if unknown.
     *
     * @return string
     */
    public function get(): string
    {
        $secure = $this->scopeConfig->isSetFlag(self::XML_PATH_SECURE_IN_ADMINHTML);
        $base = trim((string) $this->scopeConfig->getValue(
            $secure ? self::XML_PATH_SECURE_BASE_LINK_URL : self::XML_PATH_UNSECURE_BASE_LINK_URL,
            ScopeInterface::SCOPE_STORE,
            self::ADMIN_STORE_CODE
        ));
        $frontName = trim((string) $this->frontNameResolver->getFrontName(), '/');
        if ($base === '' || $frontName === '') {
            return '';
        }
        $url = rtrim($base, '/') . '/';
        if (
            !$this->scopeConfig->isSetFlag(
                self::XML_PATH_USE_REWRITES,
                ScopeInterface::SCOPE_STORE,
                self::ADMIN_STORE_CODE
            )
        ) {
            $url .= 'index.php/';
        }
        return $url . $frontName . '/';
    }
}
