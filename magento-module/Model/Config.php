<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model;

use Gladly\Connector\Model\Config\Source\AllowedActions;
use Magento\Framework\App\Config\ScopeConfigInterface;

/**
 * Reads the module's settings; the only reader of the gladly_connector/* paths.
 */
class Config
{
    public const XML_PATH_ENABLED = 'gladly_connector/general/enabled';
    public const XML_PATH_BRIDGE_URL = 'gladly_connector/general/bridge_url';
    public const XML_PATH_SETUP_CODE = 'gladly_connector/general/setup_code';
    public const XML_PATH_PRODUCT_URL_SUFFIX = 'gladly_connector/catalog/product_url_suffix';
    public const XML_PATH_ALLOWED_ACTIONS = 'gladly_connector/actions/allowed';
    public const XML_PATH_COUPON_RULES = 'gladly_connector/actions/coupon_rules';

    /**
     * Magento's own path of the base currency (Stores > Configuration > General > Currency Setup).
     */
    public const XML_PATH_BASE_CURRENCY = 'currency/options/base';

    /**
     * Suffix used when the path has no value at all (same as Magento's catalog default).
     */
    public const DEFAULT_PRODUCT_URL_SUFFIX = '.html';

    private ScopeConfigInterface $scopeConfig;

    private AllowedActions $allowedActions;

    /**
     * Keep the configuration reader and the list of known actions.
     *
     * @param ScopeConfigInterface $scopeConfig
     * @param AllowedActions $allowedActions
     */
    public function __construct(ScopeConfigInterface $scopeConfig, AllowedActions $allowedActions)
    {
        $this->scopeConfig = $scopeConfig;
        $this->allowedActions = $allowedActions;
    }

    /**
     * Tell whether the merchant enabled the bridge.
     *
     * @return bool
     */
    public function isEnabled(): bool
    {
        return $this->scopeConfig->isSetFlag(self::XML_PATH_ENABLED);
    }

    /**
     * Return the saved bridge base URL without surrounding blanks or trailing slashes, or ''.
     *
     * @return string
     */
    public function getBridgeUrl(): string
    {
        return rtrim($this->readString(self::XML_PATH_BRIDGE_URL), '/');
    }

    /**
     * Return the one-time setup code, or '' when none is saved.
     *
     * Saved encrypted, but read in plain text: etc/config.xml gives the path the Encrypted backend model,
     * so Magento's config reader decrypts it (MetadataConfigTypeProcessor); decrypting again gives binary.
     *
     * @return string
     */
    public function getSetupCode(): string
    {
        return $this->readString(self::XML_PATH_SETUP_CODE);
    }

    /**
     * Return the storefront product URL suffix ('' when the merchant cleared it).
     *
     * @return string
     */
    public function getProductUrlSuffix(): string
    {
        $value = $this->scopeConfig->getValue(self::XML_PATH_PRODUCT_URL_SUFFIX);
        if ($value === null) {
            return self::DEFAULT_PRODUCT_URL_SUFFIX;
        }
        return trim((string) $value);
    }

    /**
     * Return the allowed agent actions: known values only, without duplicates, in display order.
     *
     * @return string[]
     */
    public function getAllowedActions(): array
    {
        $saved = array_map('trim', explode(',', $this->readString(self::XML_PATH_ALLOWED_ACTIONS)));
        return array_values(array_intersect($this->allowedActions->getValues(), $saved));
    }

    /**
     * Return the ids of the cart price rules agents may issue goodwill coupons from, without duplicates.
     *
     * @return int[]
     */
    public function getCouponRuleIds(): array
    {
        $ids = array_map('intval', explode(',', $this->readString(self::XML_PATH_COUPON_RULES)));
        return array_values(array_unique(array_filter($ids, static fn (int $id): bool => $id > 0)));
    }

    /**
     * Return the store's base currency code, e.g. "USD".
     *
     * @return string
     */
    public function getBaseCurrency(): string
    {
        return $this->readString(self::XML_PATH_BASE_CURRENCY);
    }

    /**
     * Read a default-scope value as a trimmed string.
     *
     * @param string $path
     * @return string
     */
    private function readString(string $path): string
    {
        $value = $this->scopeConfig->getValue($path);
        return is_scalar($value) ? trim((string) $value) : '';
    }
}
