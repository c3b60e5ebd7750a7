<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Coupon;

use Gladly\Connector\Api\Data\CouponRuleInterface;
use Gladly\Connector\Api\Data\CouponRuleInterfaceFactory;
use Gladly\Connector\Model\Config;
use Magento\SalesRule\Model\ResourceModel\Rule\CollectionFactory;
use Magento\SalesRule\Model\Rule;

/**
 * Cart price rules that can issue single goodwill codes: "Specific Coupon" with "Use Auto Generation".
 *
 * Only such rules accept POST /V1/coupons/generate (CouponManagementService::generate); the rule fixes
 * the discount, expiry and usage limits, so an agent picks a rule and never a discount.
 */
class RuleList
{
    private CollectionFactory $collectionFactory;

    private Config $config;

    private CouponRuleInterfaceFactory $couponRuleFactory;

    /**
     * Keep the rule collection factory, the settings reader and the factory of the published rules.
     *
     * @param CollectionFactory $collectionFactory
     * @param Config $config
     * @param CouponRuleInterfaceFactory $couponRuleFactory
     */
    public function __construct(
        CollectionFactory $collectionFactory,
        Config $config,
        CouponRuleInterfaceFactory $couponRuleFactory
    ) {
        $this->collectionFactory = $collectionFactory;
        $this->config = $config;
        $this->couponRuleFactory = $couponRuleFactory;
    }

    /**
     * Return every rule that can generate codes, active or not, keyed by rule id, by name.
     *
     * @return array<int, Rule>
     */
    public function getCandidates(): array
    {
        $collection = $this->collectionFactory->create();
        $collection->addFieldToFilter('coupon_type', Rule::COUPON_TYPE_SPECIFIC);
        $collection->addFieldToFilter('use_auto_generation', 1);
        $collection->setOrder('name', 'ASC');
        $rules = [];
        foreach ($collection->getItems() as $rule) {
            $rules[(int) $rule->getRuleId()] = $rule;
        }
        return $rules;
    }

    /**
     * Return the rules the merchant allows that can issue a code today: chosen, active, not expired.
     *
     * @param string $today YYYY-MM-DD
     * @return CouponRuleInterface[]
     */
    public function getAllowed(string $today): array
    {
        $allowed = [];
        $candidates = $this->getCandidates();
        foreach ($this->config->getCouponRuleIds() as $ruleId) {
            $rule = $candidates[$ruleId] ?? null;
            if ($rule === null || !$this->isCurrent($rule, $today)) {
                continue;
            }
            $allowed[] = $this->couponRuleFactory->create([
                'id' => $ruleId,
                'name' => (string) $rule->getName(),
                'amount' => $this->describe($rule),
                'expiresOn' => $this->expiresOn($rule),
            ]);
        }
        return $allowed;
    }

    /**
     * Return one of the rules getAllowed() publishes, or null when the rule is not (or no longer) one of them.
     *
     * @param int $ruleId
     * @param string $today YYYY-MM-DD
     * @return Rule|null
     */
    public function getIssuable(int $ruleId, string $today): ?Rule
    {
        if (!in_array($ruleId, $this->config->getCouponRuleIds(), true)) {
            return null;
        }
        $rule = $this->getCandidates()[$ruleId] ?? null;
        return $rule !== null && $this->isCurrent($rule, $today) ? $rule : null;
    }

    /**
     * Describe what one coupon of a rule gives, in the store's base currency.
     *
     * @param Rule $rule
     * @return string
     */
    public function describe(Rule $rule): string
    {
        $amount = (float) $rule->getDiscountAmount();
        $money = trim($this->config->getBaseCurrency() . ' ' . number_format($amount, 2, '.', ','));
        switch ($rule->getSimpleAction()) {
            case Rule::BY_PERCENT_ACTION:
                $text = rtrim(rtrim(number_format($amount, 2, '.', ''), '0'), '.') . '% off matching items';
                break;
            case Rule::BY_FIXED_ACTION:
                $text = $money . ' off each matching item';
                break;
            case Rule::CART_FIXED_ACTION:
                $text = $money . ' off the cart';
                break;
            case Rule::BUY_X_GET_Y_ACTION:
                $text = sprintf('buy %d, get %d free', (int) $rule->getDiscountStep(), (int) $amount);
                break;
            default:
                $text = (string) $rule->getSimpleAction();
        }
        return $rule->getSimpleFreeShipping() ? $text . ', free shipping' : $text;
    }

    /**
     * Tell whether a rule is active and not past its last day.
     *
     * @param Rule $rule
     * @param string $today YYYY-MM-DD
     * @return bool
     */
    private function isCurrent(Rule $rule, string $today): bool
    {
        $expiresOn = $this->expiresOn($rule);
        return (bool) $rule->getIsActive() && ($expiresOn === '' || $expiresOn >= $today);
    }

    /**
     * Return the rule's last day, YYYY-MM-DD, or '' when it never expires.
     *
     * @param Rule $rule
     * @return string
     */
    private function expiresOn(Rule $rule): string
    {
        return substr((string) $rule->getToDate(), 0, 10);
    }
}
