<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Config\Source;

use Gladly\Connector\Model\Coupon\RuleList;
use Magento\Framework\Data\OptionSourceInterface;

/**
 * Lists the cart price rules a merchant can let agents issue goodwill coupons from.
 */
class CouponRules implements OptionSourceInterface
{
    private RuleList $ruleList;

    /**
     * Keep the rule list.
     *
     * @param RuleList $ruleList
     */
    public function __construct(RuleList $ruleList)
    {
        $this->ruleList = $ruleList;
    }

    /**
     * Return one option per rule, labelled with its name and discount, inactive ones marked.
     *
     * @return array<int, array{value: string, label: string}>
     */
    public function toOptionArray(): array
    {
        $options = [];
        foreach ($this->ruleList->getCandidates() as $ruleId => $rule) {
            $label = sprintf('%s (%s)', $rule->getName(), $this->ruleList->describe($rule));
            if (!$rule->getIsActive()) {
                $label .= ' ' . __('[inactive]');
            }
            $options[] = ['value' => (string) $ruleId, 'label' => $label];
        }
        return $options;
    }
}
