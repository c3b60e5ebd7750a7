<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model;

use Gladly\Connector\Model\Config\Source\AllowedActions;
use Magento\CatalogUrlRewrite\Model\ProductUrlPathGenerator;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Store\Model\ScopeInterface;
use Magento\Store\Model\StoreManagerInterface;

/**
 * Reads the module's settings (the only reader of the gladly_connector/* paths) and the core settings it publishes.
 */
class Config
{
    public const XML_PATH_BRIDGE_URL = 'gladly_connector/general/bridge_url';
    public const XML_PATH_SETUP_CODE = 'gladly_connector/general/setup_code';
    public const XML_PATH_ALLOWED_ACTIONS = 'gladly_connector/actions/allowed';
    public const XML_PATH_COUPON_RULES = 'gladly_connector/actions/coupon_rules';
    public const XML_PATH_COUPON_LIMIT = 'gladly_connector/actions/coupon_limit';
    public const XML_PATH_COUPON_PERIOD = 'gladly_connector/actions/coupon_period_days';

    /**
     * The goodwill cap when the saved one is unusable: one coupon per customer per 30 days.
     */
    public const DEFAULT_COUPON_LIMIT = 1;
    public const DEFAULT_COUPON_PERIOD = 30;

    /**
     * Magento's own path of the base currency (Stores > Configuration > General > Currency Setup).
     */
    public const XML_PATH_BASE_CURRENCY = 'currency/options/base';

    private ScopeConfigInterface $scopeConfig;

    private AllowedActions $allowedActions;

    private StoreManagerInterface $storeManager;

    /**
     * Keep the configuration reader, the list of known actions and the store manager.
     *
     * @param ScopeConfigInterface $scopeConfig
     * @param AllowedActions $allowedActions
     * @param StoreManagerInterface $storeManager
     */
    public function __construct(
        ScopeConfigInterface $scopeConfig,
        AllowedActions $allowedActions,
        StoreManagerInterface $storeManager
    ) {
        $this->scopeConfig = $scopeConfig;
        $this->allowedActions = $allowedActions;
        $this->storeManager = $storeManager;
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
     * Return core's product URL suffix (Catalog > SEO) of the default store view, e.g. ".html", or ''.
     *
     * Read as ProductUrlPathGenerator::getProductUrlSuffix() reads it, at store scope, but for the default
     * store view rather than the current store: the current store of a REST call depends on the store code
     * in its URL (/rest/default/V1, /rest/all/V1), and the bridge uses one suffix for every link.
     *
     * @return string
     */
    public function getProductUrlSuffix(): string
    {
        $store = $this->storeManager->getDefaultStoreView();
        $value = $this->scopeConfig->getValue(
            ProductUrlPathGenerator::XML_PATH_PRODUCT_URL_SUFFIX,
            $store === null ? ScopeConfigInterface::SCOPE_TYPE_DEFAULT : ScopeInterface::SCOPE_STORE,
            $store === null ? null : $store->getId()
        );
        return is_scalar($value) ? trim((string) $value) : '';
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
     * Return how many goodwill coupons one customer may receive per period (at least 1).
     *
     * @return int
     */
    public function getCouponLimit(): int
    {
        return $this->readPositive(self::XML_PATH_COUPON_LIMIT, self::DEFAULT_COUPON_LIMIT);
    }

    /**
     * Return the length of that period in days (at least 1).
     *
     * @return int
     */
    public function getCouponPeriodDays(): int
    {
        return $this->readPositive(self::XML_PATH_COUPON_PERIOD, self::DEFAULT_COUPON_PERIOD);
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

    /**
     * Read a default-scope whole number of at least 1, or $default when the saved value is not one.
     *
     * @param string $path
     * @param int $default
     * @return int
     */
    private function readPositive(string $path, int $default): int
    {
        $value = $this->readString($path);
        return ctype_digit($value) && (int) $value > 0 ? (int) $value : $default;
    }
}
