<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Coupon;

use Gladly\Connector\Api\Data\GoodwillCouponInterface;
use Gladly\Connector\Api\Data\GoodwillCouponInterfaceFactory;
use Gladly\Connector\Api\GoodwillCouponManagementInterface;
use Gladly\Connector\Model\Config;
use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Stdlib\DateTime\TimezoneInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Sales\Model\Order;
use Magento\SalesRule\Model\CouponGenerator;
use Magento\SalesRule\Model\Rule;
use Magento\Store\Model\StoreManagerInterface;

/**
 * Issues one goodwill code, as the admin's "Generate" coupons button does (CouponGenerator), behind its own
 * narrow ACL resource instead of Magento_SalesRule::quote, which also lets its holder edit every cart price rule.
 */
class GoodwillCouponManagement implements GoodwillCouponManagementInterface
{
    /**
     * CouponGenerator's parameters for one code agents read out: 12 letters and digits, a dash every 4
     * ("dash" is CouponGenerationSpec::KEY_DELIMITER_AT_EVERY).
     */
    private const CODE_SPEC = ['qty' => 1, 'length' => 12, 'format' => 'alphanum', 'delimiter' => '-', 'dash' => 4];

    private OrderRepositoryInterface $orderRepository;

    private RuleList $ruleList;

    private Config $config;

    private IssuedCoupons $issuedCoupons;

    private CouponGenerator $couponGenerator;

    private StoreManagerInterface $storeManager;

    private TimezoneInterface $timezone;

    private GoodwillCouponInterfaceFactory $goodwillCouponFactory;

    /**
     * Keep the order repository, the allowed rules, the settings, the record, the generator, the stores,
     * the clock and the factory of the reply.
     *
     * @param OrderRepositoryInterface $orderRepository
     * @param RuleList $ruleList
     * @param Config $config
     * @param IssuedCoupons $issuedCoupons
     * @param CouponGenerator $couponGenerator
     * @param StoreManagerInterface $storeManager
     * @param TimezoneInterface $timezone
     * @param GoodwillCouponInterfaceFactory $goodwillCouponFactory
     */
    public function __construct(
        OrderRepositoryInterface $orderRepository,
        RuleList $ruleList,
        Config $config,
        IssuedCoupons $issuedCoupons,
        CouponGenerator $couponGenerator,
        StoreManagerInterface $storeManager,
        TimezoneInterface $timezone,
        GoodwillCouponInterfaceFactory $goodwillCouponFactory
    ) {
        $this->orderRepository = $orderRepository;
        $this->ruleList = $ruleList;
        $this->config = $config;
        $this->issuedCoupons = $issuedCoupons;
        $this->couponGenerator = $couponGenerator;
        $this->storeManager = $storeManager;
        $this->timezone = $timezone;
        $this->goodwillCouponFactory = $goodwillCouponFactory;
    }

    /**
     * @inheritdoc
     */
    public function issue(int $orderId, int $ruleId, string $note = ''): GoodwillCouponInterface
    {
        $order = $this->orderRepository->get($orderId);
        $customerId = $this->customerOf($order);
        // A rule's "To" date is a calendar date of the store (see ConfigProvider); the cap counts in UTC.
        $rule = $this->applicableRule($order, $ruleId, $this->timezone->date()->format('Y-m-d'));
        $now = $this->timezone->date(null, null, false);
        $days = $this->config->getCouponPeriodDays();
        $since = (clone $now)->modify(sprintf('-%d days', $days))->format('Y-m-d H:i:s');
        return $this->issuedCoupons->atomically(
            function () use ($order, $customerId, $rule, $now, $since, $days, $note): GoodwillCouponInterface {
                if (!$this->issuedCoupons->lockCustomer($customerId)) {
                    throw new LocalizedException(
                        __('The customer of order %1 no longer has an account.', $order->getIncrementId())
                    );
                }
                $limit = $this->config->getCouponLimit();
                if ($this->issuedCoupons->countSince($customerId, $since) >= $limit) {
                    throw new LocalizedException(__(
                        'The customer of order %1 has already received %2 goodwill coupon(s) in the last %3 days, '
                        . 'the most this store allows; no code was issued.',
                        $order->getIncrementId(),
                        $limit,
                        $days
                    ));
                }
                return $this->generate($order, $customerId, $rule, $now->format('Y-m-d H:i:s'), $note);
            }
        );
    }

    /**
     * Generate the code, record it in the module's table and on the order (inside the caller's transaction).
     *
     * @param Order $order
     * @param int $customerId
     * @param Rule $rule
     * @param string $now UTC
     * @param string $note
     * @return GoodwillCouponInterface
     * @throws LocalizedException
     */
    private function generate(
        Order $order,
        int $customerId,
        Rule $rule,
        string $now,
        string $note
    ): GoodwillCouponInterface {
        $ruleId = (int) $rule->getRuleId();
        $codes = $this->couponGenerator->generateCodes(['rule_id' => $ruleId] + self::CODE_SPEC);
        $code = is_array($codes) && isset($codes[0]) ? (string) $codes[0] : '';
        if ($code === '') {
            throw new LocalizedException(__('Magento generated no code for rule %1.', $rule->getName()));
        }
        $this->issuedCoupons->add($customerId, (int) $order->getEntityId(), $ruleId, $code, $now);
        $order->addCommentToStatusHistory((string) __(
            'Goodwill coupon %1 (%2: %3) issued%4',
            $code,
            $rule->getName(),
            $this->ruleList->describe($rule),
            trim($note) === '' ? '.' : ' ' . trim($note)
        ));
        $this->orderRepository->save($order);
        return $this->goodwillCouponFactory->create([
            'code' => $code,
            'ruleId' => $ruleId,
            'orderId' => (int) $order->getEntityId(),
            'customerId' => $customerId,
            'issuedAt' => $now,
        ]);
    }

    /**
     * Return the id of the order's registered customer, or refuse guest and canceled orders.
     *
     * @param \Magento\Sales\Api\Data\OrderInterface $order
     * @return int
     * @throws LocalizedException
     */
    private function customerOf($order): int
    {
        $number = $order->getIncrementId();
        if (!$order instanceof Order || $order->getCustomerIsGuest() || (int) $order->getCustomerId() <= 0) {
            throw new LocalizedException(
                __('Order %1 was placed as a guest; goodwill coupons go to registered customers only.', $number)
            );
        }
        if ($order->getState() === Order::STATE_CANCELED) {
            throw new LocalizedException(
                __('Order %1 is canceled; goodwill coupons are issued on orders that went ahead.', $number)
            );
        }
        return (int) $order->getCustomerId();
    }

    /**
     * Return the rule when the merchant allows it now and it applies to the order's website and customer group.
     *
     * @param Order $order
     * @param int $ruleId
     * @param string $today YYYY-MM-DD, the store's
     * @return Rule
     * @throws LocalizedException
     */
    private function applicableRule(Order $order, int $ruleId, string $today): Rule
    {
        $rule = $this->ruleList->getIssuable($ruleId, $today);
        if ($rule === null) {
            throw new LocalizedException(
                __('Rule %1 is not one of the goodwill coupon rules this store allows now.', $ruleId)
            );
        }
        $websiteId = (int) $this->storeManager->getStore((int) $order->getStoreId())->getWebsiteId();
        if (!in_array($websiteId, array_map('intval', (array) $rule->getWebsiteIds()), true)) {
            throw new LocalizedException(
                __('Rule "%1" does not apply to the website of order %2.', $rule->getName(), $order->getIncrementId())
            );
        }
        $groupIds = array_map('intval', (array) $rule->getCustomerGroupIds());
        if (!in_array((int) $order->getCustomerGroupId(), $groupIds, true)) {
            throw new LocalizedException(__(
                'Rule "%1" does not apply to the customer group of order %2.',
                $rule->getName(),
                $order->getIncrementId()
            ));
        }
        return $rule;
    }
}
