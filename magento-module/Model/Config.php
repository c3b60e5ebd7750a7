<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model;

use Gladly\Connector\Model\Config\Source\AiActions;
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
    public const XML_PATH_AI_ACTIONS = 'gladly_connector/ai/actions';
    public const XML_PATH_AI_REFUND_MAX = 'gladly_connector/ai/refund_max';
    public const XML_PATH_AI_REFUND_DAILY_MAX = 'gladly_connector/ai/refund_daily_max';
    public const XML_PATH_AI_ORDER_MAX_AGE = 'gladly_connector/ai/order_max_age_days';
    public const XML_PATH_AI_COUPON_PERIOD = 'gladly_connector/ai/coupon_period_days';
    public const XML_PATH_AI_COUPON_RULE = 'gladly_connector/ai/coupon_rule';

    /**
     * The goodwill cap when the saved one is unusable: one coupon per customer per 30 days.
     */
    public const DEFAULT_COUPON_LIMIT = 1;
    public const DEFAULT_COUPON_PERIOD = 30;

    /**
     * Gladly AI's limits when the saved ones are unusable: the bridge's defaults (BRIDGE_AI_*).
     */
    public const DEFAULT_AI_REFUND_MAX = 50.0;
    public const DEFAULT_AI_REFUND_DAILY_MAX = 200.0;
    public const DEFAULT_AI_COUPON_PERIOD = 90;

    /**
     * Magento's own path of the base currency (Stores > Configuration > General > Currency Setup).
     */
    public const XML_PATH_BASE_CURRENCY = 'currency/options/base';

    private ScopeConfigInterface $scopeConfig;

    private AllowedActions $allowedActions;

    private StoreManagerInterface $storeManager;

    private AiActions $aiActions;

    /**
     * Keep the configuration reader, the lists of known actions and the store manager.
     *
     * @param ScopeConfigInterface $scopeConfig
     * @param AllowedActions $allowedActions
     * @param StoreManagerInterface $storeManager
     * @param AiActions $aiActions
     */
    public function __construct(
        ScopeConfigInterface $scopeConfig,
        AllowedActions $allowedActions,
        StoreManagerInterface $storeManager,
        AiActions $aiActions
    ) {
        $this->scopeConfig = $scopeConfig;
        $this->allowedActions = $allowedActions;
        $this->storeManager = $storeManager;
        $this->aiActions = $aiActions;
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
        return $this->readChoices(self::XML_PATH_ALLOWED_ACTIONS, $this->allowedActions);
    }

    /**
     * Return what Gladly AI may do: known values only, without duplicates, in display order.
     *
     * @return string[]
     */
    public function getAiActions(): array
    {
        return $this->readChoices(self::XML_PATH_AI_ACTIONS, $this->aiActions);
    }

    /**
     * Return the largest refund Gladly AI may make, in the order currency (0 turns its refunds off).
     *
     * @return float
     */
    public function getAiRefundMax(): float
    {
        return $this->readAmount(self::XML_PATH_AI_REFUND_MAX, self::DEFAULT_AI_REFUND_MAX);
    }

    /**
     * Return the most Gladly AI may refund per UTC day, all its refunds together.
     *
     * @return float
     */
    public function getAiRefundDailyMax(): float
    {
        return $this->readAmount(self::XML_PATH_AI_REFUND_DAILY_MAX, self::DEFAULT_AI_REFUND_DAILY_MAX);
    }

    /**
     * Return the age in days beyond which Gladly AI leaves an order alone; 0 for no limit.
     *
     * @return int
     */
    public function getAiOrderMaxAgeDays(): int
    {
        $value = $this->readString(self::XML_PATH_AI_ORDER_MAX_AGE);
        return ctype_digit($value) ? (int) $value : 0;
    }

    /**
     * Return the period in days within which Gladly AI issues one goodwill coupon per customer (at least 1).
     *
     * @return int
     */
    public function getAiCouponPeriodDays(): int
    {
        return $this->readPositive(self::XML_PATH_AI_COUPON_PERIOD, self::DEFAULT_AI_COUPON_PERIOD);
    }

    /**
     * Return the cart price rule Gladly AI issues goodwill coupons from, or 0 for none.
     *
     * @return int
     */
    public function getAiCouponRule(): int
    {
        $value = $this->readString(self::XML_PATH_AI_COUPON_RULE);
        return ctype_digit($value) ? (int) $value : 0;
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
     * Read a default-scope comma-separated list, keeping the values $source knows, in its order.
     *
     * @param string $path
     * @param AllowedActions $source
     * @return string[]
     */
    private function readChoices(string $path, AllowedActions $source): array
    {
        $saved = array_map('trim', explode(',', $this->readString($path)));
        return array_values(array_intersect($source->getValues(), $saved));
    }

    /**
     * Read a default-scope amount of at least 0, or $default when the saved value is not one.
     *
     * @param string $path
     * @param float $default
     * @return float
     */
    private function readAmount(string $path, float $default): float
    {
        $value = $this->readString($path);
        return is_numeric($value) && (float) $value >= 0 ? round((float) $value, 4) : $default;
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
